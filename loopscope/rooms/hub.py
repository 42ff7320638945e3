"""One process's live copy of each room it serves, and the streams of updates that follow it.

A ``RoomHub`` holds a room's ``RoomState`` and applies its events strictly in order. An event
that skips ahead of what the hub has (a broadcast lost or overtaken) makes the hub read the
missing events from the database first. Pages follow a hub with ``follow``: learners wake only
for events everyone sees (an answer wakes the host, not 300 learners), and a host's stream sends
at most one update per ``HOST_INTERVAL_S`` however fast answers come in.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from loopscope.rooms.state import RoomEvent, RoomState, apply
from loopscope.storage.rooms import RoomStore

LOG_SIZE: Final = 1000
HOST_INTERVAL_S: Final = 0.1
IDLE_EVICT_S: Final = 600.0


@dataclass(frozen=True, slots=True)
class Update:
    """What a stream sends: the state to show and the events the page has not been told of.

    ``missed`` is None when the hub's log does not reach back that far (the page then only
    gets the state, which is all it needs to be right).
    """

    state: RoomState
    missed: tuple[RoomEvent, ...] | None


class RoomHub:
    def __init__(self, state: RoomState, store: RoomStore) -> None:
        self.state = state
        self._store = store
        self._log: deque[RoomEvent] = deque(maxlen=LOG_SIZE)
        self._lock = asyncio.Lock()
        self._any = asyncio.Event()
        self._public = asyncio.Event()
        self.public_seq = state.seq  # the seq of the last event everyone sees
        self.listeners = 0
        self.last_used = time.monotonic()

    async def receive(self, event: RoomEvent) -> None:
        """Apply an event from this process or a broadcast; catch up first on a gap."""
        if event.seq <= self.state.seq:
            return
        async with self._lock:
            if event.seq > self.state.seq + 1:
                await self._catch_up()
            if event.seq == self.state.seq + 1:
                self._apply(event)

    async def sync(self) -> None:
        """Catch up with the database (after a reconnect, before a page is rendered)."""
        seq = await self._store.seq(self.state.code)
        if seq is None:
            if not self.state.deleted:
                await self.receive(RoomEvent(self.state.seq + 1, "deleted", datetime.now(UTC)))
            return
        if seq > self.state.seq:
            async with self._lock:
                await self._catch_up()

    async def _catch_up(self) -> None:
        for event in await self._store.events_after(self.state.code, self.state.seq):
            if event.seq == self.state.seq + 1:
                self._apply(event)

    def _apply(self, event: RoomEvent) -> None:
        self.state = apply(self.state, event)
        self._log.append(event)
        if event.public:
            self.public_seq = event.seq
            self._public.set()
            self._public = asyncio.Event()
        self._any.set()
        self._any = asyncio.Event()

    def missed(self, since: int, learner: str | None) -> tuple[RoomEvent, ...] | None:
        """The events after ``since`` that ``learner`` (None: the host) sees, if still logged."""
        if since >= self.state.seq:
            return ()
        first = self._log[0].seq if self._log else self.state.seq + 1
        if since + 1 < first:
            return None
        return tuple(e for e in self._log if e.seq > since and e.seen_by(learner))

    async def follow(self, since: int | None, learner: str | None) -> AsyncIterator[Update]:
        """Updates for one page: at once when it is behind (or has seen nothing), then live.

        ``learner`` None is the host. The stream ends after the room is deleted.
        """
        self.listeners += 1
        try:
            seen = since if since is not None and since <= self.state.seq else -1
            host = learner is None
            while True:
                if seen < (self.state.seq if host else self.public_seq) or seen == -1:
                    state = self.state
                    yield Update(state, self.missed(seen, learner) if seen >= 0 else ())
                    seen = state.seq
                    if state.deleted:
                        return
                    if host:
                        await asyncio.sleep(HOST_INTERVAL_S)
                    continue
                await (self._any if host else self._public).wait()
        finally:
            self.listeners -= 1
            self.last_used = time.monotonic()


class Hubs:
    """The live rooms of this process, loaded on first use and dropped when idle."""

    def __init__(self, store: RoomStore) -> None:
        self._store = store
        self._hubs: dict[str, RoomHub] = {}
        self._loading = asyncio.Lock()

    async def get(self, code: str) -> RoomHub | None:
        hub = self._hubs.get(code)
        if hub is not None:
            hub.last_used = time.monotonic()
            return hub
        async with self._loading:
            hub = self._hubs.get(code)
            if hub is None:
                state = await self._store.load(code)
                if state is None:
                    return None
                hub = self._hubs[code] = RoomHub(state, self._store)
        return hub

    def peek(self, code: str) -> RoomHub | None:
        return self._hubs.get(code)

    async def deliver(self, code: str, event: RoomEvent) -> None:
        hub = self._hubs.get(code)
        if hub is not None:
            await (hub.sync() if event.kind == "deleted" else hub.receive(event))

    async def sync_all(self) -> None:
        for hub in list(self._hubs.values()):
            await hub.sync()

    async def tick(self) -> None:
        """The periodic check: rooms being watched catch up, idle ones are dropped."""
        now = time.monotonic()
        for code, hub in list(self._hubs.items()):
            if hub.listeners:
                await hub.sync()
            elif now - hub.last_used > IDLE_EVICT_S or hub.state.deleted:
                del self._hubs[code]
