"""``Store``: the app's storage, one object over the aggregates' repositories.

    store = await Store.open(url)        # connects and upgrades the schema to the newest revision
    await store.commit_choice(...)       # learner progress (``loopscope.storage.progress``)
    await store.save_run(run)            # recorded runs (``loopscope.storage.runs``)
    await store.save_draft(...)          # a learner's own code (``loopscope.storage.work``)
    await store.prune(policy)            # retention (``loopscope db prune`` and the server's timer)

Each aggregate lives in its own module; ``Store`` only joins them over one engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from loopscope.storage.database import Clock, create_engine, now
from loopscope.storage.migrate import current_revision, upgrade
from loopscope.storage.progress import LearnerProgress
from loopscope.storage.runs import RecordedRuns
from loopscope.storage.work import LearnerWork


@dataclass(frozen=True, slots=True)
class Retention:
    """How long data is kept: see ``Settings`` for the defaults and their variables."""

    run_days: float
    runs_per_request: int
    idle_learner_days: float


@dataclass(frozen=True, slots=True)
class Pruned:
    runs: int
    learners: int


class Store(LearnerProgress, RecordedRuns, LearnerWork):
    @classmethod
    async def open(cls, url: str, *, clock: Clock = now, shared: bool = False) -> Store:
        """Connect and bring the schema up to the newest migration. ``shared``: other
        processes write to this database too (see ``loopscope.storage.learnercache``)."""
        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.run_sync(upgrade)
        return cls(engine, clock=clock, shared=shared)

    @property
    def engine(self) -> AsyncEngine:
        """The engine, for repositories that live beside the Store (workshop rooms)."""
        return self._engine

    @property
    def clock(self) -> Clock:
        return self._clock

    async def close(self) -> None:
        await self._engine.dispose()

    async def revision(self) -> str | None:
        """The schema's migration revision."""
        async with self._engine.connect() as connection:
            return await connection.run_sync(current_revision)

    async def prune(self, retention: Retention) -> Pruned:
        """Apply the retention policy once."""
        moment = self._clock()
        runs = await self.prune_runs(
            older_than=moment - timedelta(days=retention.run_days),
            keep_per_request=retention.runs_per_request,
        )
        learners = await self.prune_learners(
            idle_since=moment - timedelta(days=retention.idle_learner_days)
        )
        return Pruned(runs=runs, learners=learners)
