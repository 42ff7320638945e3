"""The database connection every repository shares, and the one upsert that works everywhere.

SQLite (the embedded default) runs in WAL mode: readers never wait for the writer, and a write
that meets another waits for it (``busy_timeout``) instead of failing. ``synchronous=NORMAL``
keeps every committed transaction across a killed process (``kill -9``); only a power cut can
lose the last few. PostgreSQL needs none of this.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from loopscope.storage.tables import Base

Clock = Callable[[], datetime]
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
    """What every aggregate's repository shares: the engine, sessions and the clock."""

    def __init__(self, engine: AsyncEngine, *, clock: Clock = now) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    def _insert(self, table: type[Base]) -> Insert:
        """An INSERT with ``on_conflict_do_nothing`` / ``on_conflict_do_update`` for this
        database: the same upsert on SQLite and PostgreSQL."""
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)
