"""``FairQueue``: whose run goes next, when more runs are asked for than workers can take.

    queue = FairQueue(slots=2, capacity=64, share=16)
    ticket = queue.admit(address="203.0.113.7", learner="3f…")   # or QueueFull / ShareUsed
    async with queue.turn(ticket):       # waits for a free slot, round-robin
        await engine.trace(request)
    queue.ahead(ticket)                  # runs that will start before this one

Turns go round-robin between client addresses and, within one address, between learners; each
learner's runs in the order asked. So a new address's run starts after at most one run of each
other address that is waiting, however many runs those hold: a flood from one address slows
its own runs, not everyone's. One address holds at most ``share`` runs (waiting or running), at
most ``capacity`` runs wait in all; past either, ``admit`` refuses at once. At most ``slots``
runs hold a turn at once (the engine's workers), so the engine's own FIFO queue stays empty.

A ticket whose ``turn`` is left (the run finished, failed or was cancelled while waiting) frees
its place; a ticket never taken into ``turn`` must be ``dropped``.

    QueueRefused
     ├── QueueFull    every place in the queue is taken
     └── ShareUsed    this address already holds its share of the queue
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field


class QueueRefused(Exception):
    """The run cannot wait for a turn: try again shortly."""


class QueueFull(QueueRefused):
    pass


class ShareUsed(QueueRefused):
    pass


@dataclass(eq=False)
class Ticket:
    """One run's place: waiting until ``granted`` is set, then holding a slot."""

    address: str
    learner: str
    seq: int
    granted: asyncio.Event = field(default_factory=asyncio.Event)
    done: bool = False


_Learners = OrderedDict[str, deque[Ticket]]


class FairQueue:
    """Round-robin turns between addresses, then learners (see the module docstring)."""

    def __init__(self, *, slots: int, capacity: int, share: int) -> None:
        if slots < 1 or capacity < 0 or share < 1:
            raise ValueError("slots and share must be at least 1, capacity at least 0")
        self.slots = slots
        self.capacity = capacity
        self.share = share
        self._waiting: OrderedDict[str, _Learners] = OrderedDict()
        self._held: dict[str, int] = {}  # per address: tickets waiting or running
        self._running = 0
        self._queued = 0
        self._seq = itertools.count(1)
        self._order: list[Ticket] | None = None  # the service order, until the queue changes

    @property
    def queued(self) -> int:
        return self._queued

    @property
    def running(self) -> int:
        return self._running

    def held(self, address: str) -> int:
        """Runs of ``address`` waiting or running."""
        return self._held.get(address, 0)

    def admit(self, *, address: str, learner: str) -> Ticket:
        """A place in the queue, or ``QueueFull`` / ``ShareUsed`` at once."""
        if self.held(address) >= self.share:
            raise ShareUsed(
                f"this address already has {self.held(address)} runs queued or running,"
                " its share of the queue; try again when one is done"
            )
        if self._running >= self.slots and self._queued >= self.capacity:
            raise QueueFull(
                f"all {self.slots} trace workers are busy and {self._queued} runs are waiting;"
                " try again in a moment"
            )
        ticket = Ticket(address, learner, next(self._seq))
        self._held[address] = self.held(address) + 1
        self._waiting.setdefault(address, OrderedDict()).setdefault(learner, deque()).append(ticket)
        self._queued += 1
        self._order = None
        self._grant()
        return ticket

    @contextlib.asynccontextmanager
    async def turn(self, ticket: Ticket) -> AsyncIterator[None]:
        """Wait for the ticket's turn and hold a slot inside; the place is freed on leaving."""
        try:
            await ticket.granted.wait()
            yield
        finally:
            self.drop(ticket)

    def drop(self, ticket: Ticket) -> None:
        """Give up the ticket's place or slot (idempotent)."""
        if ticket.done:
            return
        ticket.done = True
        held = self._held[ticket.address] - 1
        if held:
            self._held[ticket.address] = held
        else:
            del self._held[ticket.address]
        if ticket.granted.is_set():
            self._running -= 1
        else:
            self._remove_waiting(ticket)
        self._grant()

    def ahead(self, ticket: Ticket) -> int:
        """Runs that will start before this one (0 once it runs)."""
        if ticket.granted.is_set() or ticket.done:
            return 0
        order = self._service_order()
        return order.index(ticket) if ticket in order else 0

    # -- inside --------------------------------------------------------------------------------

    def _grant(self) -> None:
        while self._running < self.slots and self._waiting:
            ticket = self._pop_next(self._waiting)
            self._queued -= 1
            self._running += 1
            self._order = None
            ticket.granted.set()

    @staticmethod
    def _pop_next(waiting: OrderedDict[str, _Learners]) -> Ticket:
        """The next ticket in round-robin order; the address and learner served go last."""
        address, learners = next(iter(waiting.items()))
        learner, tickets = next(iter(learners.items()))
        ticket = tickets.popleft()
        if tickets:
            learners.move_to_end(learner)
        else:
            del learners[learner]
        if learners:
            waiting.move_to_end(address)
        else:
            del waiting[address]
        return ticket

    def _remove_waiting(self, ticket: Ticket) -> None:
        learners = self._waiting.get(ticket.address)
        tickets = learners.get(ticket.learner) if learners is not None else None
        if learners is None or tickets is None or ticket not in tickets:
            return
        tickets.remove(ticket)
        self._queued -= 1
        self._order = None
        if not tickets:
            del learners[ticket.learner]
        if not learners:
            del self._waiting[ticket.address]

    def _service_order(self) -> list[Ticket]:
        if self._order is None:
            copy: OrderedDict[str, _Learners] = OrderedDict(
                (address, OrderedDict((lr, deque(ts)) for lr, ts in learners.items()))
                for address, learners in self._waiting.items()
            )
            order = []
            while copy:
                order.append(self._pop_next(copy))
            self._order = order
        return self._order
