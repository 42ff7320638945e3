"""The fair queue: round-robin turns between addresses and learners, a share per address."""

from __future__ import annotations

import asyncio

import pytest

from loopscope.runs.queue import FairQueue, QueueFull, ShareUsed, Ticket

pytestmark = pytest.mark.anyio


def start_order(queue: FairQueue, tickets: list[Ticket]) -> list[str]:
    """Finish running tickets one at a time and note who is granted next."""
    order = []
    pending = [t for t in tickets if not t.granted.is_set()]
    running = [t for t in tickets if t.granted.is_set()]
    while pending:
        queue.drop(running.pop(0))
        granted = [t for t in pending if t.granted.is_set()]
        for ticket in granted:
            pending.remove(ticket)
            running.append(ticket)
            order.append(f"{ticket.address}/{ticket.learner}")
    return order


async def test_a_new_address_goes_before_a_flood_already_waiting() -> None:
    queue = FairQueue(slots=1, capacity=64, share=64)
    flood = [queue.admit(address="A", learner=f"a{i}") for i in range(5)]
    victim = queue.admit(address="B", learner="b")
    assert queue.ahead(victim) == 1  # one of A's, then B
    assert start_order(queue, [*flood, victim]) == ["A/a1", "B/b", "A/a2", "A/a3", "A/a4"]


async def test_learners_of_one_address_take_turns() -> None:
    queue = FairQueue(slots=1, capacity=64, share=64)
    running = queue.admit(address="A", learner="x")
    mine = [queue.admit(address="A", learner="x") for _ in range(3)]
    classmate = queue.admit(address="A", learner="y")
    assert start_order(queue, [running, *mine, classmate]) == ["A/x", "A/y", "A/x", "A/x"]


async def test_ahead_follows_the_service_order() -> None:
    queue = FairQueue(slots=1, capacity=64, share=64)
    queue.admit(address="A", learner="a")  # running
    waiting = [queue.admit(address="A", learner="a") for _ in range(3)]
    late = queue.admit(address="B", learner="b")
    assert [queue.ahead(t) for t in waiting] == [0, 2, 3]
    assert queue.ahead(late) == 1


async def test_an_address_holds_at_most_its_share() -> None:
    queue = FairQueue(slots=2, capacity=64, share=3)
    held = [queue.admit(address="A", learner=f"a{i}") for i in range(3)]
    with pytest.raises(ShareUsed, match="its share of the queue"):
        queue.admit(address="A", learner="fresh cookie")
    queue.admit(address="B", learner="b")  # others are not refused
    queue.drop(held[0])  # one of A's is done: A may ask again
    queue.admit(address="A", learner="a3")
    assert queue.held("A") == 3


async def test_past_capacity_everyone_is_refused() -> None:
    queue = FairQueue(slots=1, capacity=2, share=64)
    for name in "ABC":  # one runs, two wait
        queue.admit(address=name, learner=name)
    with pytest.raises(QueueFull, match="busy"):
        queue.admit(address="D", learner="d")


async def test_a_cancelled_wait_frees_its_place() -> None:
    queue = FairQueue(slots=1, capacity=1, share=64)
    running = queue.admit(address="A", learner="a")
    waiting = queue.admit(address="B", learner="b")

    async def take_turn() -> None:
        async with queue.turn(waiting):
            pass

    task = asyncio.create_task(take_turn())
    await asyncio.sleep(0)  # the task is inside ``turn``, waiting
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert queue.queued == 0
    replacement = queue.admit(address="C", learner="c")  # the place is free again
    queue.drop(running)
    assert replacement.granted.is_set()
    assert not waiting.granted.is_set()
