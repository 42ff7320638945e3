from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from loopscope.storage import Store

pytestmark = pytest.mark.anyio


def ticking() -> Iterator[datetime]:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    while True:
        moment += timedelta(seconds=1)
        yield moment


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    clock = ticking()
    store = await Store.open(
        f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", clock=lambda: next(clock)
    )
    yield store
    await store.close()


async def test_first_commitment_wins(store: Store) -> None:
    first = await store.commit_choice("l1", "x", "prompt", "p1", "a", correct=False)
    second = await store.commit_choice("l1", "x", "prompt", "p1", "b", correct=True)
    assert first == second
    assert (second.choice, second.correct) == ("a", False)


async def test_commitments_are_per_learner_and_lesson(store: Store) -> None:
    await store.commit_choice("l1", "x", "myth", "m1", "no", correct=True)
    await store.commit_choice("l2", "x", "myth", "m1", "yes", correct=False)
    await store.commit_choice("l1", "y", "myth", "m1", "yes", correct=False)
    mine = await store.commitments("l1", "x")
    assert {key: c.choice for key, c in mine.items()} == {("myth", "m1"): "no"}


async def test_one_answer_per_question_per_round(store: Store) -> None:
    await store.record_answer("l1", "x", "q1", "a", correct=False)
    await store.record_answer("l1", "x", "q1", "b", correct=True)
    assert [(a.option_id, a.round) for a in await store.answers("l1", "x")] == [("a", 1)]
    assert await store.start_round("l1", "x", seen_round=1) == 2
    assert await store.start_round("l1", "x", seen_round=1) == 2  # a repeat moves nothing
    await store.record_answer("l1", "x", "q1", "b", correct=True)
    answers = await store.answers("l1", "x")
    assert [(a.option_id, a.round, a.correct) for a in answers] == [("a", 1, False), ("b", 2, True)]
    assert answers[0].answered_at < answers[1].answered_at


async def test_visits_remember_the_last_place(store: Store) -> None:
    await store.commit_choice("l1", "x", "myth", "m1", "no", correct=True)
    await store.record_visit("l1", "x", "deep")
    await store.record_visit("l1", "x", "deep", "step-s3")
    await store.record_visit("l1", "x", "deep")  # reloading the page keeps the item
    progress = (await store.progress("l1"))["x"]
    assert (progress.last_mode, progress.last_item) == ("deep", "step-s3")
    await store.record_visit("l1", "x", "recall")
    progress = (await store.progress("l1"))["x"]
    assert (progress.last_mode, progress.last_item) == ("recall", None)
    assert progress.visited == {"deep", "recall"}
    assert await store.progress("nobody") == {}
