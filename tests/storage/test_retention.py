"""Retention: old and surplus runs are dropped, idle learners forgotten, the rest kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loopscope.cli import app as cli
from loopscope.storage import Retention, Store, StoredRun
from loopscope.storage.migrate import head_revision

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 6, 1, tzinfo=UTC)
POLICY = Retention(run_days=30, runs_per_request=2, idle_learner_days=90)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def store(tmp_path: Path, clock: Clock) -> AsyncIterator[Store]:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", clock=clock)
    yield store
    await store.close()


def run(run_id: str, key: str, age_days: float) -> StoredRun:
    return StoredRun(run_id, key, "x", "canonical", "f()", (), "{}", NOW - timedelta(days=age_days))


async def test_runs_older_than_the_retention_and_surplus_reruns_are_dropped(store: Store) -> None:
    for index in range(5):  # one learner looping "measure again"
        await store.save_run(run(f"loop-{index:04d}", "k-loop", age_days=index / 10))
    await store.save_run(run("old-00001", "k-old", age_days=31))
    await store.save_run(run("kept-0001", "k-kept", age_days=29))
    assert await store.run_count() == 7
    pruned = await store.prune(POLICY)
    assert pruned.runs == 4
    assert await store.run("loop-0000") is not None  # the newest two of the loop
    assert await store.run("loop-0001") is not None
    assert await store.run("loop-0002") is None
    assert await store.run("old-00001") is None
    assert await store.run("kept-0001") is not None
    assert (await store.prune(POLICY)).runs == 0


async def test_idle_learners_are_forgotten_with_their_rows(store: Store, clock: Clock) -> None:
    clock.now = NOW - timedelta(days=100)
    await store.commit_choice("idle", "x", "myth", "m1", "no", correct=True)
    await store.record_answer("idle", "x", "q1", "a", correct=False)
    await store.record_answer("active", "x", "q1", "a", correct=False)
    clock.now = NOW - timedelta(days=10)
    await store.record_visit("active", "x", "deep", "step-s1")  # real progress keeps them
    clock.now = NOW
    assert (await store.prune(POLICY)).learners == 1
    assert await store.progress("idle") == {}
    assert await store.commitments("idle", "x") == {}
    assert await store.answers("idle", "x") == []
    assert (await store.progress("active"))["x"].last_item == "step-s1"
    assert await store.learner_count() == 1


def test_the_prune_command_applies_the_settings(tmp_path: Path) -> None:
    env = {"LOOPSCOPE_DATA_DIR": str(tmp_path), "LOOPSCOPE_SECRET_KEY": "k"}
    upgraded = CliRunner().invoke(cli, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    assert f"revision {head_revision()}" in upgraded.output
    pruned = CliRunner().invoke(cli, ["db", "prune"], env=env)
    assert pruned.exit_code == 0, pruned.output
    assert "pruned 0 runs and 0 idle learners" in pruned.output
    assert (tmp_path / "loopscope.sqlite3").exists()
