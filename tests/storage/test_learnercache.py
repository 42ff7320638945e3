"""What the store keeps about learners: read once, dropped by the learner's writes, checked
against ``state_version`` where other processes share the database, bounded in bytes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from realservers import missing_servers, postgres
from sqlalchemy import event

from loopscope.records import Attempt
from loopscope.storage import Store
from loopscope.storage.learnercache import LearnerCache, records

pytestmark = pytest.mark.anyio


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(store.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", record)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"


@pytest.fixture
async def store(url: str) -> AsyncIterator[Store]:
    store = await Store.open(url)
    yield store
    await store.close()


async def test_a_second_read_reads_nothing_and_a_write_is_seen_next(store: Store) -> None:
    assert (await store.lesson_state("l1", "x")).answers == ()
    with statements(store) as seen:
        assert (await store.lesson_state("l1", "x")).answers == ()
        assert await store.passed("l1", "x") == frozenset()
        assert await store.passed("l1", "x") == frozenset()
    assert len(seen) == 1  # the passes, once
    await store.record_answer("l1", "x", "q1", "a", correct=True)
    [found] = (await store.lesson_state("l1", "x")).answers
    assert (found.question_id, found.option_id) == ("q1", "a")


async def test_writes_drop_only_what_they_change(store: Store) -> None:
    await store.commit_choice("l1", "x", "myth", "m1", "no", correct=True)
    await store.lesson_state("l1", "x")
    await store.lesson_state("l2", "x")
    await store.lesson_state("l1", "y")
    await store.commit_choice("l2", "x", "myth", "m1", "yes", correct=False)
    with statements(store) as seen:
        assert set((await store.lesson_state("l1", "x")).commitments) == {("myth", "m1")}
        assert (await store.lesson_state("l1", "y")).commitments == {}
    assert seen == []
    assert (await store.lesson_state("l2", "x")).commitments[("myth", "m1")].choice == "yes"


async def test_drafts_passes_and_visits_are_seen_after_their_writes(store: Store) -> None:
    assert await store.draft("l1", "x", "try") is None
    assert await store.passed("l1", "x") == frozenset()
    assert await store.record_visit("l1", "x", "deep") is False  # not a learner yet
    await store.save_draft("l1", "x", "try", "code", "f()")
    draft = await store.draft("l1", "x", "try")
    assert draft is not None
    assert draft.code == "code"
    await store.save_attempt(
        Attempt("a1", "l1", "x", "challenge/c1", True, (), "code", datetime.now(UTC))
    )
    assert await store.passed("l1", "x") == {"challenge/c1"}
    assert await store.record_visit("l1", "x", "deep") is True  # a learner now
    state = await store.lesson_state("l1", "x")
    assert state.progress is not None
    assert state.progress.last_mode == "deep"


async def test_a_new_learner_is_read_from_memory_until_their_first_write(store: Store) -> None:
    store.remember_new_learner("l1")
    with statements(store) as seen:
        assert await store.lesson_state("l1", "x") == await store.lesson_state("l1", "y")
        assert await store.passed("l1", "x") == frozenset()
        assert await store.draft("l1", "x", "try") is None
        assert await store.record_visit("l1", "x", "deep") is False
    assert seen == []
    await store.commit_choice("l1", "y", "myth", "m1", "no", correct=True)
    assert set((await store.lesson_state("l1", "y")).commitments) == {("myth", "m1")}
    assert await store.record_visit("l1", "x", "deep") is True


async def test_pruned_learners_are_not_remembered(store: Store) -> None:
    await store.record_answer("l1", "x", "q1", "a", correct=True)
    assert len((await store.lesson_state("l1", "x")).answers) == 1
    assert await store.prune_learners(idle_since=datetime.now(UTC) + timedelta(days=1)) == 1
    assert (await store.lesson_state("l1", "x")).answers == ()


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    reason = missing_servers()
    if reason is not None:
        pytest.skip(reason)
    with postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, url: str) -> str:
    if request.param == "sqlite":
        return url
    found: str = request.getfixturevalue("postgres_url")
    return found


async def test_a_shared_database_is_checked_by_one_version_read(shared_url: str) -> None:
    """Two processes (here: two stores on one database): a write by one is seen by the other,
    on SQLite and on PostgreSQL (whose upserts move the version in their own dialect)."""
    mine = await Store.open(shared_url, shared=True)
    other = await Store.open(shared_url, shared=True)
    try:
        mine.remember_new_learner("l1")
        assert (await mine.lesson_state("l1", "x")).answers == ()
        with statements(mine) as seen:
            assert (await mine.lesson_state("l1", "x")).answers == ()
        assert len(seen) == 1
        assert "state_version" in seen[0]
        await other.record_answer("l1", "x", "q1", "a", correct=True)
        assert len((await mine.lesson_state("l1", "x")).answers) == 1
        await other.save_draft("l1", "x", "try", "code", "f()")
        await mine.draft("l1", "x", "try")
        await other.save_draft("l1", "x", "try", "newer", "f()")
        draft = await mine.draft("l1", "x", "try")
        assert draft is not None
        assert draft.code == "newer"
        await other.prune_learners(idle_since=datetime.now(UTC) + timedelta(days=1))
        assert (await mine.lesson_state("l1", "x")).answers == ()
    finally:
        await mine.close()
        await other.close()


async def test_a_read_that_overlaps_a_write_is_not_kept() -> None:
    cache = LearnerCache()
    loads = 0

    async def load() -> str:
        nonlocal loads
        loads += 1
        cache.forget("l1", "x")  # a write commits while the read is under way
        await asyncio.sleep(0)
        return "before the write"

    for _ in range(2):
        await cache.read("l1", "x", "state", load, size=lambda _: records(0), empty="")
    assert loads == 2
    assert len(cache) == 0


async def test_the_cache_is_bounded_in_bytes() -> None:
    cache = LearnerCache(max_bytes=10 * records(1))

    async def small() -> str:
        return "s"

    async def huge() -> str:
        return "h" * 1000

    for number in range(100):
        await cache.read(f"l{number}", "x", "state", small, size=lambda _: records(1), empty="")
    assert 0 < len(cache) < 10
    # A value larger than the whole cache is returned, not kept.
    found = await cache.read("big", "x", "state", huge, size=lambda _: 100 * records(1), empty="")
    assert found == "h" * 1000
    assert await cache.read("big", "x", "state", small, size=lambda _: records(1), empty="") == "s"
