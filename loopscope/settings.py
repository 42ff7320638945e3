"""One validated settings class, read from ``LOOPSCOPE_*`` environment variables."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path.home() / ".loopscope"


class Settings(BaseSettings):
    """Where loopscope keeps its data and how it runs.

    >>> Settings(data_dir=Path("/tmp/ls")).resolved_database_url
    'sqlite+aiosqlite:////tmp/ls/loopscope.sqlite3'
    """

    model_config = SettingsConfigDict(env_prefix="LOOPSCOPE_", frozen=True)

    data_dir: Path = DEFAULT_DATA_DIR
    # Any SQLAlchemy async URL; empty means the embedded SQLite file in data_dir.
    database_url: str = ""
    # Signs the anonymous learner cookie. Empty means: generated once, kept in data_dir.
    secret_key: str = ""
    trace_workers: int = Field(default=2, ge=1, le=16)
    trace_queue: int = Field(default=8, ge=1, le=256)
    trace_timeout_s: float = Field(default=10.0, gt=0, le=120)
    # Start the trace workers with the app (in the background); off, they start on first use.
    trace_prestart: bool = True
    # Workshop rooms. Empty: one process, broadcasts stay in it. A redis:// URL: several
    # processes (with a shared PostgreSQL database_url) serve one room, via Redis pub/sub.
    redis_url: str = ""
    # Rooms with no activity for this many days are deleted (the host can delete one sooner).
    room_retention_days: int = Field(default=30, ge=1, le=3650)
    # The interface ``loopscope serve`` listens on (the host page tells whether the LAN can
    # reach it); empty when unknown.
    listen_host: str = ""
    # The address learners use when the app runs behind a proxy, e.g. https://class.example.
    public_url: str = ""

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'loopscope.sqlite3'}"

    @cached_property
    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret.key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key
