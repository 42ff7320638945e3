"""Recorded runs are stored compressed, old uncompressed rows still read, and a learner's own
runs are kept within a storage budget."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from realservers import missing_servers, postgres
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from loopscope.storage import RunBudget, Store, StoredRun
from loopscope.storage import runs as runs_module
from loopscope.storage.tables import TraceRunRow

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 6, 1, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[1] / "app" / "samples" / "canonical_trace.json"


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    reason = missing_servers()
    if reason is not None:
        pytest.skip(reason)
    with postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """The embedded SQLite file, and PostgreSQL (bytea; one server for the module, so each
    test uses run ids and learners of its own)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    store = await Store.open(url)
    yield store
    await store.close()


def run(
    run_id: str,
    *,
    learner: str | None = None,
    minutes: int = 0,
    trace: str = "{}",
    source: str | None = None,
) -> StoredRun:
    created = NOW + timedelta(minutes=minutes)
    return StoredRun(run_id, f"k-{run_id}", "x", "try", "f()", (), trace, created, learner, source)


async def row(store: Store, run_id: str) -> TraceRunRow:
    async with AsyncSession(store.engine) as session:
        found = await session.get(TraceRunRow, run_id)
    assert found is not None
    return found


async def test_a_trace_is_stored_gzip_compressed_and_read_back_whole(store: Store) -> None:
    trace = SAMPLE.read_text()
    await store.save_run(run("r1", trace=trace))
    stored = await row(store, "r1")
    assert stored.trace == ""  # no second, uncompressed copy
    assert stored.trace_gz is not None
    assert gzip.decompress(stored.trace_gz).decode() == trace
    assert stored.stored_bytes == len(stored.trace_gz) < len(trace) / 4
    found = await store.run("r1")
    assert found is not None
    assert found.trace_json == trace
    latest = await store.latest_run("k-r1")
    assert latest is not None
    assert latest.trace_json == trace


async def test_a_row_stored_before_compression_still_reads(store: Store) -> None:
    trace = SAMPLE.read_text()
    async with store.engine.begin() as connection:
        await connection.execute(
            insert(TraceRunRow).values(
                id="old-1", request_key="k-old", lesson="x", example="canonical", call="f()",
                knobs="[]", trace=trace, created_at=NOW,
            )
        )  # fmt: skip
    found = await store.run("old-1")
    assert found is not None
    assert found.trace_json == trace
    latest = await store.latest_run("k-old")
    assert latest is not None
    assert latest.id == "old-1"


async def test_a_learner_past_the_budget_loses_their_oldest_runs_only(store: Store) -> None:
    big = SAMPLE.read_text()
    await store.save_run(run("example", minutes=-10, trace=big))  # a lesson example: no owner
    await store.save_run(run("other-1", learner="other", minutes=-5, trace=big))
    size = (await row(store, "example")).stored_bytes
    budget = int(size * 2.5)  # room for two runs of this size
    for minute in range(4):
        await store.save_run(
            run(f"mine-{minute}", learner="me", minutes=minute, trace=big, source=f"# {minute}"),
            budget=RunBudget(per_learner=budget, total=100 * budget),
        )
    kept = [r for r in ("mine-0", "mine-1", "mine-2", "mine-3") if await store.run(r)]
    assert kept == ["mine-2", "mine-3"]
    assert [await store.source(f"mine-{minute}") for minute in range(4)] == [
        None,
        None,
        "# 2",
        "# 3",
    ]  # a dropped run's code goes with it
    assert await store.learner_run_bytes("me") <= budget
    assert await store.run("example") is not None
    assert await store.run("other-1") is not None


async def test_a_learner_run_is_kept_with_its_code_or_not_at_all(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Try's run and the code it ran are one transaction: a crash between them once left a
    run whose permalink answered 404 (no code to show)."""
    await store.save_run(run("with-code", learner="me", source="async def f(): ...\n"))
    assert await store.source("with-code") == "async def f(): ...\n"
    assert await store.source("example-run") is None

    async def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the process died here")

    monkeypatch.setattr(runs_module, "_trim", crash)  # after both inserts, before the commit
    with pytest.raises(RuntimeError, match="died"):
        await store.save_run(run("lost", learner="me", source="x = 1\n"), budget=RunBudget(10, 10))
    assert await store.run("lost") is None
    assert await store.source("lost") is None


async def test_the_run_just_saved_is_kept_even_alone_past_the_budget(store: Store) -> None:
    await store.save_run(run("a", learner="alone", minutes=0, trace=SAMPLE.read_text()))
    await store.save_run(
        run("b", learner="alone", minutes=1, trace=SAMPLE.read_text()),
        budget=RunBudget(per_learner=10, total=10),
    )
    assert await store.run("a") is None
    assert await store.run("b") is not None


async def test_fresh_cookies_each_within_budget_are_bounded_by_the_total(store: Store) -> None:
    """The disk-filling loop of issue 14: a new learner per run. Each learner is within their
    own budget; the total one drops the oldest learner runs, never a lesson example's."""
    big = SAMPLE.read_text()
    await store.save_run(run("t-example", minutes=-10, trace=big))
    size = (await row(store, "t-example")).stored_bytes
    budget = RunBudget(per_learner=100 * size, total=int(size * 3.5))
    for n in range(6):
        await store.save_run(
            run(f"t-cookie-{n}", learner=f"t-fresh-{n}", minutes=1000 + n, trace=big),
            budget=budget,
        )
    kept = [n for n in range(6) if await store.run(f"t-cookie-{n}") is not None]
    assert kept == [3, 4, 5]
    assert await store.run("t-example") is not None
