"""The database connection every repository shares, and the one upsert that works everywhere.

SQLite (the embedded default) runs in WAL mode: readers never wait for the writer, and a write
that meets another waits for it (``busy_timeout``) instead of failing. ``synchronous=NORMAL``
keeps every committed transaction across a killed process (``kill -9``); only a power cut can
lose the last few. PostgreSQL needs none of this.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from loopscope.storage.learnercache import LearnerCache
from loopscope.storage.tables import Base, LearnerRow

Clock = Callable[[], datetime]
T = TypeVar("T")
BUSY_TIMEOUT_S: Final = 30.0


def now() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def create_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``; SQLite files get WAL, a busy timeout and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    engine = create_async_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
    in_memory = parsed.database in (None, "", ":memory:")

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


Insert = sqlite.Insert | postgresql.Insert


class Repository:
    """What every aggregate's repository shares: the engine, sessions, the clock and what is
    kept in memory about learners (``loopscope.storage.learnercache``).

    ``shared``: other processes write to the same database, so a kept read is checked against
    the learner's ``state_version`` before it is used.
    """

    def __init__(self, engine: AsyncEngine, *, clock: Clock = now, shared: bool = False) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._clock = clock
        self._shared = shared
        self._learners = LearnerCache()

    async def _learner_read(
        self,
        learner: str,
        lesson: str,
        what: Hashable,
        load: Callable[[AsyncSession], Awaitable[T]],
        *,
        size: Callable[[T], int],
        empty: T,
    ) -> T:
        """``load`` of (learner, lesson), or what it gave last time if the learner has not
        written to the lesson since, or ``empty`` for a learner with nothing stored."""
        if not self._shared:

            async def fresh() -> T:
                async with self._sessions() as session:
                    return await load(session)

            return await self._learners.read(learner, lesson, what, fresh, size=size, empty=empty)
        async with self._sessions() as session:
            # The version first: a write that commits after it makes the next read miss.
            version = await session.scalar(
                select(LearnerRow.state_version).where(LearnerRow.id == learner)
            )
            return await self._learners.read(
                learner,
                lesson,
                what,
                lambda: load(session),
                size=size,
                empty=empty,
                version=version,
            )

    def remember_new_learner(self, learner: str) -> None:
        """``learner`` was issued by this request: nothing is stored about them yet."""
        self._learners.new_learner(learner, None if self._shared else 0)

    @asynccontextmanager
    async def _learner_write(self, learner: str, lesson: str) -> AsyncIterator[AsyncSession]:
        """A write transaction about (learner, lesson); what is kept of it is dropped once the
        transaction has ended (committed or not: a failed commit may have written)."""
        try:
            async with self._sessions.begin() as session:
                yield session
        finally:
            self._learners.forget(learner, lesson)

    def _touch(self, learner: str, now: datetime) -> Insert:
        """Create the learner or mark their progress: the first statement of every write about
        a learner. Being a write, it takes SQLite's write lock at once (waiting for it,
        bounded), so no read-then-write upgrade can fail. It also moves their
        ``state_version``, which readers in other processes compare with what they kept."""
        stmt = self._insert(LearnerRow).values(
            id=learner, created_at=now, last_seen_at=now, state_version=1
        )
        return stmt.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "last_seen_at": stmt.excluded.last_seen_at,
                "state_version": LearnerRow.state_version + 1,
            },
        )

    def _insert(self, table: type[Base]) -> Insert:
        """An INSERT with ``on_conflict_do_nothing`` / ``on_conflict_do_update`` for this
        database: the same upsert on SQLite and PostgreSQL."""
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)
