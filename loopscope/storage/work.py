"""A learner's own work: drafts in the editor, the code of their runs, checked attempts, passes.

    work = await Store.open(url)                        # Store includes LearnerWork
    await work.save_draft(learner, lesson, "try", code, call)
    await work.draft(learner, lesson, "try")            # Draft(code=..., call=...) or None
    await work.source(run_id)                           # the code a learner run ran
    await work.save_attempt(attempt)                    # a checked attempt; a pass is kept

Tables (in ``loopscope.storage.tables``, added by migration 0003_learner_work):

    drafts            per learner, lesson and place (``try``, ``challenge/<id>``, ``project``)
    run_sources       the learner code a recorded run (``trace_runs``) ran, by run id: written
                      with the run itself (``RecordedRuns.save_run``)
    attempts          one checked attempt: its verdict, check by check, as JSON
    passes            per learner, lesson and place: the first attempt that passed
"""

from __future__ import annotations

import json
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from loopscope.records import Attempt, CheckOutcome, Draft
from loopscope.storage.database import Repository, utc
from loopscope.storage.learnercache import records
from loopscope.storage.tables import AttemptRow, DraftRow, PassRow, RunSourceRow


def _draft_bytes(draft: Draft | None) -> int:
    return records(0) + (len(draft.code) + len(draft.call) if draft is not None else 0)


class LearnerWork(Repository):
    """Reads and writes the four tables above (``Store`` joins it with the other aggregates)."""

    async def save_draft(self, learner: str, lesson: str, place: str, code: str, call: str) -> None:
        now = self._clock()
        async with self._learner_write(learner, lesson) as session:
            await session.execute(self._touch(learner, now))
            stmt = self._insert(DraftRow).values(
                learner_id=learner, lesson=lesson, place=place, code=code, call=call, updated_at=now
            )
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["learner_id", "lesson", "place"],
                    set_={"code": code, "call": call, "updated_at": now},
                )
            )

    async def draft(self, learner: str, lesson: str, place: str) -> Draft | None:
        async def load(session: AsyncSession) -> Draft | None:
            row = await session.get(DraftRow, (learner, lesson, place))
            return Draft(row.code, row.call) if row is not None else None

        return await self._learner_read(
            learner, lesson, ("draft", place), load, size=_draft_bytes, empty=None
        )

    async def source(self, run_id: str) -> str | None:
        async with self._sessions() as session:
            row = await session.get(RunSourceRow, run_id)
        return row.code if row is not None else None

    async def save_attempt(self, attempt: Attempt) -> None:
        async with self._learner_write(attempt.learner, attempt.lesson) as session:
            await session.execute(self._touch(attempt.learner, attempt.created_at))
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
            if attempt.passed:  # the first pass is the one kept
                stmt = self._insert(PassRow).values(
                    learner_id=attempt.learner,
                    lesson=attempt.lesson,
                    place=attempt.place,
                    attempt_id=attempt.id,
                    passed_at=attempt.created_at,
                )
                await session.execute(
                    stmt.on_conflict_do_nothing(index_elements=["learner_id", "lesson", "place"])
                )

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
            created_at=utc(row.created_at),
        )

    async def passed(self, learner: str, lesson: str) -> frozenset[str]:
        """The places (``challenge/<id>``, ``project/<step>``) this learner has passed."""
        query = select(PassRow.place).where(PassRow.learner_id == learner, PassRow.lesson == lesson)

        async def load(session: AsyncSession) -> frozenset[str]:
            return frozenset((await session.scalars(query)).all())

        return await self._learner_read(
            learner,
            lesson,
            "passed",
            load,
            size=lambda found: records(len(found)),
            empty=frozenset(),
        )
