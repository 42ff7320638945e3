"""Learner progress, one aggregate: the learner, their commitments, answers, place and visits.

Each method runs in its own transaction and returns frozen records, never ORM rows. Every write
is an upsert on the tables' unique keys, so a double-submitted form stores once and two requests
racing on a first visit both succeed. A learner row appears with their first real progress (a
commitment or an answer); page views alone never create one, so a visitor who has done nothing
leaves nothing in the database.

>>> import asyncio
>>> from loopscope.storage import Store
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

from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from loopscope.records import Commitment, CommitmentKind, LessonState, Progress, QuizAnswer
from loopscope.storage.database import Repository, utc
from loopscope.storage.learnercache import ANY_LESSON, records
from loopscope.storage.tables import (
    CommitmentRow,
    LearnerRow,
    LessonProgressRow,
    ModeVisitRow,
    QuizAnswerRow,
)

# The tables that hang off a learner, emptied before the learner row when it is pruned.
_LEARNER_TABLES = (CommitmentRow, QuizAnswerRow, LessonProgressRow, ModeVisitRow)


async def _commitments(
    session: AsyncSession, learner: str, lesson: str
) -> dict[tuple[str, str], Commitment]:
    query = select(CommitmentRow).where(
        CommitmentRow.learner_id == learner, CommitmentRow.lesson == lesson
    )
    rows = (await session.scalars(query)).all()
    return {
        (row.kind, row.item_id): Commitment(
            row.kind, row.item_id, row.choice, row.correct, utc(row.created_at)
        )
        for row in rows
    }


async def _answers(session: AsyncSession, learner: str, lesson: str) -> list[QuizAnswer]:
    query = (
        select(QuizAnswerRow)
        .where(QuizAnswerRow.learner_id == learner, QuizAnswerRow.lesson == lesson)
        .order_by(QuizAnswerRow.answered_at, QuizAnswerRow.id)
    )
    rows = (await session.scalars(query)).all()
    return [
        QuizAnswer(row.question_id, row.option_id, row.correct, utc(row.answered_at), row.round)
        for row in rows
    ]


async def _progress(
    session: AsyncSession, learner: str, lesson: str | None = None
) -> dict[str, Progress]:
    places = select(LessonProgressRow).where(LessonProgressRow.learner_id == learner)
    visits_query = select(ModeVisitRow).where(ModeVisitRow.learner_id == learner)
    if lesson is not None:
        places = places.where(LessonProgressRow.lesson == lesson)
        visits_query = visits_query.where(ModeVisitRow.lesson == lesson)
    rows = (await session.scalars(places)).all()
    if not rows:
        return {}
    visits = (await session.scalars(visits_query)).all()
    visited: dict[str, set[str]] = {}
    for visit in visits:
        visited.setdefault(visit.lesson, set()).add(visit.mode)
    return {
        row.lesson: Progress(
            lesson=row.lesson,
            last_mode=row.last_mode,
            last_item=row.last_item,
            quiz_round=row.quiz_round,
            updated_at=utc(row.updated_at),
            visited=frozenset(visited.get(row.lesson, ())),
        )
        for row in rows
    }


async def _known(session: AsyncSession, learner: str) -> bool:
    return await session.get(LearnerRow, learner) is not None


def _state_bytes(state: LessonState) -> int:
    visited = len(state.progress.visited) if state.progress else 0
    return records(len(state.commitments) + len(state.answers) + visited)


class LearnerProgress(Repository):
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
        now = self._clock()
        async with self._learner_write(learner, lesson) as session:
            await session.execute(self._touch(learner, now))
            await session.execute(
                self._insert(CommitmentRow)
                .values(
                    learner_id=learner,
                    lesson=lesson,
                    kind=kind,
                    item_id=item_id,
                    choice=choice,
                    correct=correct,
                    created_at=now,
                )
                .on_conflict_do_nothing()
            )
        found = await self.commitments(learner, lesson)
        return found[(kind, item_id)]

    async def commitments(self, learner: str, lesson: str) -> dict[tuple[str, str], Commitment]:
        """(kind, item id) -> commitment, for one learner and lesson."""
        async with self._sessions() as session:
            return await _commitments(session, learner, lesson)

    # --- quiz ------------------------------------------------------------------------------

    async def record_answer(
        self, learner: str, lesson: str, question_id: str, option_id: str, *, correct: bool
    ) -> QuizAnswer:
        """Store an answer in the learner's current round unless that round has one already."""
        now = self._clock()
        async with self._learner_write(learner, lesson) as session:
            await session.execute(self._touch(learner, now))
            quiz_round = await self._quiz_round(session, learner, lesson, now)
            await session.execute(
                self._insert(QuizAnswerRow)
                .values(
                    learner_id=learner,
                    lesson=lesson,
                    question_id=question_id,
                    round=quiz_round,
                    option_id=option_id,
                    correct=correct,
                    answered_at=now,
                )
                .on_conflict_do_nothing()
            )
        answers = await self.answers(learner, lesson)
        return next(
            answer
            for answer in answers
            if answer.question_id == question_id and answer.round == quiz_round
        )

    async def answers(self, learner: str, lesson: str) -> list[QuizAnswer]:
        """Every answer of the learner in this lesson, oldest first."""
        async with self._sessions() as session:
            return await _answers(session, learner, lesson)

    async def start_round(self, learner: str, lesson: str, *, seen_round: int) -> int:
        """Move to the round after ``seen_round``; a repeat of the same request moves no further."""
        now = self._clock()
        async with self._learner_write(learner, lesson) as session:
            await session.execute(self._touch(learner, now))
            await self._quiz_round(session, learner, lesson, now)
            await session.execute(
                update(LessonProgressRow)
                .where(
                    LessonProgressRow.learner_id == learner,
                    LessonProgressRow.lesson == lesson,
                    LessonProgressRow.quiz_round == seen_round,
                )
                .values(quiz_round=seen_round + 1)
            )
            return await self._quiz_round(session, learner, lesson, now)

    # --- progress --------------------------------------------------------------------------

    async def record_visit(
        self, learner: str, lesson: str, mode: str, item_id: str | None = None
    ) -> bool:
        """Remember where a learner who has made progress is: a page view keeps the item if the
        mode is unchanged. A learner with no progress yet is not stored; returns False then."""
        now = self._clock()
        # A read, kept until the learner's first write: no write lock for a mere visitor.
        exists = await self._learner_read(
            learner,
            ANY_LESSON,
            "known",
            lambda s: _known(s, learner),
            size=lambda _: records(0),
            empty=False,
        )
        if not exists:
            return False
        async with self._learner_write(learner, lesson) as session:
            known = await session.execute(
                update(LearnerRow)
                .where(LearnerRow.id == learner)
                .values(last_seen_at=now, state_version=LearnerRow.state_version + 1)
            )
            if known.rowcount == 0:  # type: ignore[attr-defined]
                return False
            moved = self._insert(LessonProgressRow).values(
                learner_id=learner,
                lesson=lesson,
                last_mode=mode,
                last_item=item_id,
                quiz_round=1,
                updated_at=now,
            )
            await session.execute(
                moved.on_conflict_do_update(
                    index_elements=["learner_id", "lesson"],
                    set_={
                        "last_mode": moved.excluded.last_mode,
                        "last_item": moved.excluded.last_item,
                        "updated_at": moved.excluded.updated_at,
                    },
                    where=or_(
                        moved.excluded.last_item.is_not(None),
                        LessonProgressRow.last_mode != moved.excluded.last_mode,
                    ),
                )
            )
            visit = self._insert(ModeVisitRow).values(
                learner_id=learner, lesson=lesson, mode=mode, first_at=now, last_at=now
            )
            await session.execute(
                visit.on_conflict_do_update(
                    index_elements=["learner_id", "lesson", "mode"],
                    set_={"last_at": visit.excluded.last_at},
                )
            )
        return True

    async def progress(self, learner: str) -> dict[str, Progress]:
        """lesson slug -> progress, for every lesson the learner opened."""
        async with self._sessions() as session:
            return await _progress(session, learner)

    async def lesson_state(self, learner: str, lesson: str) -> LessonState:
        """What one page needs about a learner in a lesson, read in one session, or kept from
        the last read if the learner has not written to the lesson since."""

        async def load(session: AsyncSession) -> LessonState:
            progress = await _progress(session, learner, lesson)
            return LessonState(
                progress=progress.get(lesson),
                commitments=await _commitments(session, learner, lesson),
                answers=tuple(await _answers(session, learner, lesson)),
            )

        return await self._learner_read(
            learner,
            lesson,
            "state",
            load,
            size=_state_bytes,
            empty=LessonState(progress=None, commitments={}, answers=()),
        )

    # --- retention -------------------------------------------------------------------------

    async def prune_learners(self, *, idle_since: datetime) -> int:
        """Forget learners whose last progress is older than ``idle_since``; returns how many."""
        last_seen = func.coalesce(LearnerRow.last_seen_at, LearnerRow.created_at)
        idle = select(LearnerRow.id).where(last_seen < idle_since).scalar_subquery()
        try:
            async with self._sessions.begin() as session:
                for table in _LEARNER_TABLES:
                    await session.execute(
                        delete(table)
                        .where(table.learner_id.in_(idle))
                        .execution_options(synchronize_session=False)
                    )
                result = await session.execute(
                    delete(LearnerRow)
                    .where(last_seen < idle_since)
                    .execution_options(synchronize_session=False)
                )
        finally:
            self._learners.clear()  # whoever was forgotten, nothing kept of them stays
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def learner_count(self) -> int:
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(LearnerRow)) or 0)

    # --- helpers ---------------------------------------------------------------------------

    async def _quiz_round(
        self, session: AsyncSession, learner: str, lesson: str, now: datetime
    ) -> int:
        """The learner's current quiz round in a lesson, creating its progress row if needed."""
        await session.execute(
            self._insert(LessonProgressRow)
            .values(
                learner_id=learner,
                lesson=lesson,
                last_mode="recall",
                last_item=None,
                quiz_round=1,
                updated_at=now,
            )
            .on_conflict_do_nothing()
        )
        found = await session.scalar(
            select(LessonProgressRow.quiz_round).where(
                and_(LessonProgressRow.learner_id == learner, LessonProgressRow.lesson == lesson)
            )
        )
        assert found is not None
        return int(found)
