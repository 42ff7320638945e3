"""A small repository over the tables: what the routes may ask of storage, nothing more.

Each method runs in its own transaction and returns frozen records, never ORM rows, so nothing
outside this package sees a session. Writes that a learner can repeat (a double-submitted form)
lean on the tables' unique constraints: the first write wins and the repeat changes nothing.

>>> import asyncio
>>> async def demo() -> bool:
...     store = await Store.open("sqlite+aiosqlite:///:memory:")
...     first = await store.commit_choice("l1", "demo", "myth", "m1", "no", correct=True)
...     again = await store.commit_choice("l1", "demo", "myth", "m1", "yes", correct=False)
...     await store.close()
...     return first == again
>>> asyncio.run(demo())
True
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)

from loopscope.storage.tables import (
    Base,
    CommitmentRow,
    LearnerRow,
    LessonProgressRow,
    ModeVisitRow,
    QuizAnswerRow,
    TraceRunRow,
)

CommitmentKind = Literal["prompt", "myth"]


@dataclass(frozen=True, slots=True)
class Commitment:
    kind: str
    item_id: str
    choice: str
    correct: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QuizAnswer:
    """One answer; ``question_id``, ``correct`` and ``answered_at`` make it a history item."""

    question_id: str
    option_id: str
    correct: bool
    answered_at: datetime
    round: int


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


@dataclass(frozen=True, slots=True)
class Progress:
    lesson: str
    last_mode: str
    last_item: str | None
    quiz_round: int
    updated_at: datetime
    visited: frozenset[str]


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


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
        created_at=_utc(row.created_at),
    )


def _sqlite_pragmas(connection: Any, _record: object) -> None:
    """WAL: readers never wait for the writer; synchronous=NORMAL: a commit does not wait for
    the disk (a crash may lose the last commits, never corrupt the file). A workshop room's
    burst of answers is a burst of small commits."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Store:
    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = _now) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    @classmethod
    async def open(cls, url: str, *, clock: Callable[[], datetime] = _now) -> Store:
        """Connect and create any missing table."""
        engine = create_async_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        return cls(engine, clock=clock)

    @property
    def engine(self) -> AsyncEngine:
        """The engine, for the other repositories over the same database (rooms)."""
        return self._engine

    @property
    def clock(self) -> Callable[[], datetime]:
        return self._clock

    async def close(self) -> None:
        await self._engine.dispose()

    # --- commitments (predictions and myth verdicts) ---------------------------------------

    async def commit_choice(
        self,
        learner: str,
        lesson: str,
        kind: CommitmentKind,
        item_id: str,
        choice: str,
        *,
        correct: bool,
    ) -> Commitment:
        """Store a commitment unless one exists; return the one that counts (the first)."""
        await self._ensure_learner(learner)
        row = CommitmentRow(
            learner_id=learner,
            lesson=lesson,
            kind=kind,
            item_id=item_id,
            choice=choice,
            correct=correct,
            created_at=self._clock(),
        )
        await self._insert_once(row)
        found = await self.commitments(learner, lesson)
        return found[(kind, item_id)]

    async def commitments(self, learner: str, lesson: str) -> dict[tuple[str, str], Commitment]:
        """(kind, item id) -> commitment, for one learner and lesson."""
        query = select(CommitmentRow).where(
            CommitmentRow.learner_id == learner, CommitmentRow.lesson == lesson
        )
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return {
            (row.kind, row.item_id): Commitment(
                row.kind, row.item_id, row.choice, row.correct, _utc(row.created_at)
            )
            for row in rows
        }

    # --- quiz ------------------------------------------------------------------------------

    async def record_answer(
        self, learner: str, lesson: str, question_id: str, option_id: str, *, correct: bool
    ) -> QuizAnswer:
        """Store an answer in the learner's current round unless that round has one already."""
        progress = await self._progress_row(learner, lesson)
        row = QuizAnswerRow(
            learner_id=learner,
            lesson=lesson,
            question_id=question_id,
            round=progress.quiz_round,
            option_id=option_id,
            correct=correct,
            answered_at=self._clock(),
        )
        await self._insert_once(row)
        answers = await self.answers(learner, lesson)
        return next(
            answer
            for answer in answers
            if answer.question_id == question_id and answer.round == progress.quiz_round
        )

    async def answers(self, learner: str, lesson: str) -> list[QuizAnswer]:
        """Every answer of the learner in this lesson, oldest first."""
        query = (
            select(QuizAnswerRow)
            .where(QuizAnswerRow.learner_id == learner, QuizAnswerRow.lesson == lesson)
            .order_by(QuizAnswerRow.answered_at, QuizAnswerRow.id)
        )
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            QuizAnswer(
                row.question_id, row.option_id, row.correct, _utc(row.answered_at), row.round
            )
            for row in rows
        ]

    async def start_round(self, learner: str, lesson: str, *, seen_round: int) -> int:
        """Move to the round after ``seen_round``; a repeat of the same request moves no further."""
        await self._progress_row(learner, lesson)
        statement = (
            update(LessonProgressRow)
            .where(
                LessonProgressRow.learner_id == learner,
                LessonProgressRow.lesson == lesson,
                LessonProgressRow.quiz_round == seen_round,
            )
            .values(quiz_round=seen_round + 1)
        )
        async with self._sessions.begin() as session:
            await session.execute(statement)
        return (await self._progress_row(learner, lesson)).quiz_round

    # --- progress --------------------------------------------------------------------------

    async def record_visit(
        self, learner: str, lesson: str, mode: str, item_id: str | None = None
    ) -> None:
        """Remember where the learner is: a page view keeps the item if the mode is unchanged."""
        await self._ensure_learner(learner)
        now = self._clock()
        async with self._sessions.begin() as session:
            progress = await session.get(LessonProgressRow, (learner, lesson))
            if progress is None:
                session.add(
                    LessonProgressRow(
                        learner_id=learner,
                        lesson=lesson,
                        last_mode=mode,
                        last_item=item_id,
                        quiz_round=1,
                        updated_at=now,
                    )
                )
            elif item_id is not None or progress.last_mode != mode:
                progress.last_mode = mode
                progress.last_item = item_id
                progress.updated_at = now
            visit = await session.get(ModeVisitRow, (learner, lesson, mode))
            if visit is None:
                session.add(
                    ModeVisitRow(
                        learner_id=learner, lesson=lesson, mode=mode, first_at=now, last_at=now
                    )
                )
            else:
                visit.last_at = now

    async def progress(self, learner: str) -> dict[str, Progress]:
        """lesson slug -> progress, for every lesson the learner opened."""
        async with self._sessions() as session:
            rows = (
                await session.scalars(
                    select(LessonProgressRow).where(LessonProgressRow.learner_id == learner)
                )
            ).all()
            visits = (
                await session.scalars(
                    select(ModeVisitRow).where(ModeVisitRow.learner_id == learner)
                )
            ).all()
        visited: dict[str, set[str]] = {}
        for visit in visits:
            visited.setdefault(visit.lesson, set()).add(visit.mode)
        return {
            row.lesson: Progress(
                lesson=row.lesson,
                last_mode=row.last_mode,
                last_item=row.last_item,
                quiz_round=row.quiz_round,
                updated_at=_utc(row.updated_at),
                visited=frozenset(visited.get(row.lesson, ())),
            )
            for row in rows
        }

    # --- recorded trace runs ----------------------------------------------------------------

    async def save_run(self, run: StoredRun) -> None:
        row = TraceRunRow(
            id=run.id,
            request_key=run.request_key,
            lesson=run.lesson,
            example=run.example,
            call=run.call,
            knobs=json.dumps([list(pair) for pair in run.knobs]),
            trace=run.trace_json,
            created_at=run.created_at,
        )
        await self._insert_once(row)

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

    # --- helpers ---------------------------------------------------------------------------

    async def _ensure_learner(self, learner: str) -> None:
        async with self._sessions() as session:
            if await session.get(LearnerRow, learner) is not None:
                return
        await self._insert_once(LearnerRow(id=learner, created_at=self._clock()))

    async def _insert_once(self, row: Base) -> None:
        try:
            async with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            pass  # already there: the first write wins

    async def _progress_row(self, learner: str, lesson: str) -> LessonProgressRow:
        await self._ensure_learner(learner)
        async with self._sessions() as session:
            row = await session.get(LessonProgressRow, (learner, lesson))
        if row is not None:
            return row
        await self._insert_once(
            LessonProgressRow(
                learner_id=learner,
                lesson=lesson,
                last_mode="recall",
                last_item=None,
                quiz_round=1,
                updated_at=self._clock(),
            )
        )
        async with self._sessions() as session:
            created = await session.get(LessonProgressRow, (learner, lesson))
        assert created is not None
        return created
