"""Recorded trace runs, one aggregate: a run's trace JSON and what it was a run of.

Identical requests (same ``request_key``) may be recorded again ("measure again", a knob rerun
with ``fresh``); retention keeps the newest few per request and drops any older than the
configured age, so a learner looping reruns cannot grow the database without bound.

The trace JSON is stored gzip-compressed (``trace_gz``), with the stdlib's ``gzip`` in a
thread: no new dependency (zstd would need the ``zstandard`` package), and trace JSON
shrinks about twentyfold (a 5.2 MB trace to 270 KB in 90 ms). Rows written before compression
keep their text in ``trace`` and read as before.

A run of a learner's own code names the learner. After each such run is saved, that learner's
oldest runs are dropped until what they hold is within their budget, then the oldest learner
runs of anyone until all learner runs fit in the total budget (a fresh cookie per run gets a
fresh per-learner budget; the total one still bounds the disk). The run just saved is always
kept. Lesson examples are shared, content-addressed and bounded by retention: no budget.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from loopscope.storage.database import Repository, utc
from loopscope.storage.tables import RunSourceRow, TraceRunRow

# Runs looked at per trim: each save adds one run, so a few always suffice.
_TRIM_BATCH: Final = 1000
# Level 6 (gzip's default): most of level 9's ratio on trace JSON at a third of its time.
COMPRESS_LEVEL: Final = 6


@dataclass(frozen=True, slots=True)
class RunBudget:
    """Bytes (compressed) that learner code's stored runs may hold: per learner, and in all."""

    per_learner: int
    total: int


@dataclass(frozen=True, slots=True)
class StoredRun:
    """A recorded trace as stored: the trace stays JSON text; ``loopscope.runs.service`` parses it.

    ``learner``: whose own code the run ran (its stored size counts against their budget);
    None for lesson examples. ``source``: that code, stored with the run in one transaction
    (``run_sources``), so a kept learner run always has the code its replay shows."""

    id: str
    request_key: str
    lesson: str
    example: str
    call: str
    knobs: tuple[tuple[str, str], ...]
    trace_json: str
    created_at: datetime
    learner: str | None = None
    source: str | None = None


def compress(trace_json: str) -> bytes:
    return gzip.compress(trace_json.encode(), compresslevel=COMPRESS_LEVEL, mtime=0)


def _trace_text(row: TraceRunRow) -> str:
    return gzip.decompress(row.trace_gz).decode() if row.trace_gz is not None else row.trace


def _stored_run(row: TraceRunRow) -> StoredRun:
    knobs = tuple((str(pair[0]), str(pair[1])) for pair in json.loads(row.knobs))
    return StoredRun(
        id=row.id,
        request_key=row.request_key,
        lesson=row.lesson,
        example=row.example,
        call=row.call,
        knobs=knobs,
        trace_json=_trace_text(row),
        created_at=utc(row.created_at),
        learner=row.learner_id,
    )


async def _read(row: TraceRunRow | None) -> StoredRun | None:
    if row is None:
        return None
    if row.trace_gz is None:
        return _stored_run(row)
    return await asyncio.to_thread(_stored_run, row)  # a large trace takes milliseconds


class RecordedRuns(Repository):
    async def save_run(self, run: StoredRun, *, budget: RunBudget | None = None) -> None:
        """Store ``run`` compressed; a learner's run then trims the oldest learner runs to the
        ``budget`` (None: no budget)."""
        packed = await asyncio.to_thread(compress, run.trace_json)
        async with self._sessions.begin() as session:
            await session.execute(
                self._insert(TraceRunRow)
                .values(
                    id=run.id,
                    request_key=run.request_key,
                    lesson=run.lesson,
                    example=run.example,
                    call=run.call,
                    knobs=json.dumps([list(pair) for pair in run.knobs]),
                    trace="",
                    trace_gz=packed,
                    learner_id=run.learner,
                    stored_bytes=len(packed),
                    created_at=run.created_at,
                )
                .on_conflict_do_nothing()
            )
            if run.source is not None:
                await session.execute(
                    self._insert(RunSourceRow)
                    .values(run_id=run.id, lesson=run.lesson, code=run.source)
                    .on_conflict_do_nothing(index_elements=["run_id"])
                )
            if run.learner is not None and budget is not None:
                mine = TraceRunRow.learner_id == run.learner
                await _trim(session, mine, budget.per_learner, keep=run.id)
                anyones = TraceRunRow.learner_id.is_not(None)
                await _trim(session, anyones, budget.total, keep=run.id)

    async def run(self, run_id: str) -> StoredRun | None:
        async with self._sessions() as session:
            row = await session.get(TraceRunRow, run_id)
        return await _read(row)

    async def latest_run(self, request_key: str) -> StoredRun | None:
        """The most recent run recorded for an identical request, if any."""
        query = (
            select(TraceRunRow)
            .where(TraceRunRow.request_key == request_key)
            .order_by(TraceRunRow.created_at.desc())
            .limit(1)
        )
        async with self._sessions() as session:
            row = (await session.scalars(query)).first()
        return await _read(row)

    async def learner_run_bytes(self, learner: str) -> int:
        """What a learner's own runs hold in the database (compressed)."""
        query = select(func.coalesce(func.sum(TraceRunRow.stored_bytes), 0)).where(
            TraceRunRow.learner_id == learner
        )
        async with self._sessions() as session:
            return int(await session.scalar(query) or 0)

    async def prune_runs(self, *, older_than: datetime, keep_per_request: int) -> int:
        """Drop runs recorded before ``older_than``, and all but the newest ``keep_per_request``
        runs of each identical request; returns how many were dropped."""
        newest_first = (
            func.row_number()
            .over(
                partition_by=TraceRunRow.request_key,
                order_by=(TraceRunRow.created_at.desc(), TraceRunRow.id.desc()),
            )
            .label("rank")
        )
        ranked = select(TraceRunRow.id, newest_first).subquery()
        surplus = select(ranked.c.id).where(ranked.c.rank > keep_per_request)
        async with self._sessions.begin() as session:
            old = await session.execute(
                delete(TraceRunRow)
                .where(TraceRunRow.created_at < older_than)
                .execution_options(synchronize_session=False)
            )
            extra = await session.execute(
                delete(TraceRunRow)
                .where(TraceRunRow.id.in_(surplus))
                .execution_options(synchronize_session=False)
            )
        return int(old.rowcount) + int(extra.rowcount)  # type: ignore[attr-defined]

    async def run_count(self) -> int:
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(TraceRunRow)) or 0)


async def _trim(
    session: AsyncSession, which: ColumnElement[bool], budget: int, *, keep: str
) -> None:
    """Drop the oldest runs ``which`` selects (never ``keep``) until the rest fit in ``budget``."""
    total = await session.scalar(
        select(func.coalesce(func.sum(TraceRunRow.stored_bytes), 0)).where(which)
    )
    excess = int(total or 0) - budget
    if excess <= 0:
        return
    oldest = (
        select(TraceRunRow.id, TraceRunRow.stored_bytes)
        .where(which, TraceRunRow.id != keep)
        .order_by(TraceRunRow.created_at, TraceRunRow.id)
        .limit(_TRIM_BATCH)
    )
    dropped: list[str] = []
    for run_id, size in (await session.execute(oldest)).all():
        if excess <= 0:
            break
        dropped.append(run_id)
        excess -= size
    if dropped:
        await session.execute(
            delete(TraceRunRow)
            .where(TraceRunRow.id.in_(dropped))
            .execution_options(synchronize_session=False)
        )  # their code goes with them (run_sources cascades)
