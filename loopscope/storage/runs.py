"""Recorded trace runs, one aggregate: a run's trace JSON and what it was a run of.

Identical requests (same ``request_key``) may be recorded again ("measure again", a knob rerun
with ``fresh``); retention keeps the newest few per request and drops any older than the
configured age, so a learner looping reruns cannot grow the database without bound.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select

from loopscope.storage.database import Repository, utc
from loopscope.storage.tables import TraceRunRow


@dataclass(frozen=True, slots=True)
class StoredRun:
    """A recorded trace as stored: the trace stays JSON text; ``loopscope.tracing`` parses it."""

    id: str
    request_key: str
    lesson: str
    example: str
    call: str
    knobs: tuple[tuple[str, str], ...]
    trace_json: str
    created_at: datetime


def _stored_run(row: TraceRunRow) -> StoredRun:
    knobs = tuple((str(pair[0]), str(pair[1])) for pair in json.loads(row.knobs))
    return StoredRun(
        id=row.id,
        request_key=row.request_key,
        lesson=row.lesson,
        example=row.example,
        call=row.call,
        knobs=knobs,
        trace_json=row.trace,
        created_at=utc(row.created_at),
    )


class RecordedRuns(Repository):
    async def save_run(self, run: StoredRun) -> None:
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
                    trace=run.trace_json,
                    created_at=run.created_at,
                )
                .on_conflict_do_nothing()
            )

    async def run(self, run_id: str) -> StoredRun | None:
        async with self._sessions() as session:
            row = await session.get(TraceRunRow, run_id)
        return _stored_run(row) if row is not None else None

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
        return _stored_run(row) if row is not None else None

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
