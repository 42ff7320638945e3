"""A learner's own work: drafts in the editor, the code of their runs, checked attempts, passes.

    work = await LearnerWork.open(url)
    await work.save_draft(learner, lesson, "try", code, call)
    await work.draft(learner, lesson, "try")            # Draft(code=..., call=...) or None
    await work.save_source(run_id, lesson, code)        # the code a recorded run ran
    await work.save_attempt(attempt)                    # a checked attempt; a pass is kept

Tables (on the app's declarative ``Base``):

    drafts            per learner, lesson and place (``try``, ``challenge/<id>``, ``project``)
    run_sources       the learner code a recorded run (``trace_runs``) ran, by run id
    attempts          one checked attempt: its verdict, check by check, as JSON
    passes            per learner, lesson and place: the first attempt that passed
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Mapped, mapped_column

from loopscope.storage.tables import ID, Base

PLACE = String(96)


class DraftRow(Base):
    __tablename__ = "drafts"

    learner_id: Mapped[str] = mapped_column(ID, primary_key=True)
    lesson: Mapped[str] = mapped_column(ID, primary_key=True)
    place: Mapped[str] = mapped_column(PLACE, primary_key=True)
    code: Mapped[str] = mapped_column(Text)
    call: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RunSourceRow(Base):
    __tablename__ = "run_sources"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("trace_runs.id", ondelete="CASCADE"), primary_key=True
    )
    lesson: Mapped[str] = mapped_column(ID)
    code: Mapped[str] = mapped_column(Text)


class AttemptRow(Base):
    __tablename__ = "attempts"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    learner_id: Mapped[str] = mapped_column(ID, index=True)
    lesson: Mapped[str] = mapped_column(ID)
    place: Mapped[str] = mapped_column(PLACE)
    passed: Mapped[bool] = mapped_column(Boolean)
    checks: Mapped[str] = mapped_column(Text)  # JSON list of CheckOutcome
    code: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PassRow(Base):
    __tablename__ = "passes"

    learner_id: Mapped[str] = mapped_column(ID, primary_key=True)
    lesson: Mapped[str] = mapped_column(ID, primary_key=True)
    place: Mapped[str] = mapped_column(PLACE, primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ID)
    passed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True, slots=True)
class Draft:
    code: str
    call: str


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """One check of an attempt as stored: ``run_id`` and ``step`` locate the replay step."""

    id: str
    text: str
    passed: bool
    detail: str
    run: str | None
    run_id: str | None
    step: int | None


@dataclass(frozen=True, slots=True)
class Attempt:
    id: str
    learner: str
    lesson: str
    place: str
    passed: bool
    checks: tuple[CheckOutcome, ...]
    code: str
    created_at: datetime


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class LearnerWork:
    """Reads and writes the four tables above."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    async def open(cls, url: str) -> LearnerWork:
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        return cls(engine)

    async def close(self) -> None:
        await self._engine.dispose()

    async def save_draft(self, learner: str, lesson: str, place: str, code: str, call: str) -> None:
        now = datetime.now(UTC)
        async with self._sessions.begin() as session:
            row = await session.get(DraftRow, (learner, lesson, place))
            if row is None:
                session.add(
                    DraftRow(
                        learner_id=learner,
                        lesson=lesson,
                        place=place,
                        code=code,
                        call=call,
                        updated_at=now,
                    )
                )
            else:
                row.code, row.call, row.updated_at = code, call, now

    async def draft(self, learner: str, lesson: str, place: str) -> Draft | None:
        async with self._sessions() as session:
            row = await session.get(DraftRow, (learner, lesson, place))
        return Draft(row.code, row.call) if row is not None else None

    async def save_source(self, run_id: str, lesson: str, code: str) -> None:
        try:
            async with self._sessions.begin() as session:
                if await session.get(RunSourceRow, run_id) is None:
                    session.add(RunSourceRow(run_id=run_id, lesson=lesson, code=code))
        except IntegrityError:
            pass  # recorded by an identical request at the same moment: the same code

    async def source(self, run_id: str) -> str | None:
        async with self._sessions() as session:
            row = await session.get(RunSourceRow, run_id)
        return row.code if row is not None else None

    async def save_attempt(self, attempt: Attempt) -> None:
        async with self._sessions.begin() as session:
            session.add(
                AttemptRow(
                    id=attempt.id,
                    learner_id=attempt.learner,
                    lesson=attempt.lesson,
                    place=attempt.place,
                    passed=attempt.passed,
                    checks=json.dumps([asdict(check) for check in attempt.checks]),
                    code=attempt.code,
                    created_at=attempt.created_at,
                )
            )
        if attempt.passed:
            try:
                async with self._sessions.begin() as session:
                    if (
                        await session.get(PassRow, (attempt.learner, attempt.lesson, attempt.place))
                        is None
                    ):
                        session.add(
                            PassRow(
                                learner_id=attempt.learner,
                                lesson=attempt.lesson,
                                place=attempt.place,
                                attempt_id=attempt.id,
                                passed_at=attempt.created_at,
                            )
                        )
            except IntegrityError:
                pass  # the first pass wins

    async def attempt(self, attempt_id: str) -> Attempt | None:
        async with self._sessions() as session:
            row = await session.get(AttemptRow, attempt_id)
        if row is None:
            return None
        return Attempt(
            id=row.id,
            learner=row.learner_id,
            lesson=row.lesson,
            place=row.place,
            passed=row.passed,
            checks=tuple(CheckOutcome(**item) for item in json.loads(row.checks)),
            code=row.code,
            created_at=_utc(row.created_at),
        )

    async def passed(self, learner: str, lesson: str) -> frozenset[str]:
        """The places (``challenge/<id>``, ``project/<step>``) this learner has passed."""
        query = select(PassRow.place).where(PassRow.learner_id == learner, PassRow.lesson == lesson)
        async with self._sessions() as session:
            return frozenset((await session.scalars(query)).all())
