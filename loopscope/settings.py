"""One validated settings class, read from ``LOOPSCOPE_*`` environment variables.

``RunSettings`` holds the few a trace run needs (``loopscope trace`` reads them through
``loopscope.run_settings``, which imports this module only when one is set); ``Settings`` is
the app's, those included.
"""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from loopscope.run_settings import BWRAP_PATH, TRACE_TIMEOUT_MAX_S, TRACE_TIMEOUT_S

if TYPE_CHECKING:  # storage brings SQLAlchemy and Alembic, which `loopscope trace` never needs
    from loopscope.storage import Retention, RunBudget

DEFAULT_DATA_DIR = Path.home() / ".loopscope"
MB = 1024 * 1024
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")

# A comma-separated list in the environment: LOOPSCOPE_ALLOWED_HOSTS=lab.example.org,10.0.0.5
HostList = Annotated[tuple[str, ...], NoDecode]


class RunSettings(BaseSettings):
    """What a trace run needs: how long it may take and the sandbox it runs in."""

    model_config = SettingsConfigDict(env_prefix="LOOPSCOPE_", frozen=True)

    # the defaults and bounds are in loopscope.run_settings, which `loopscope trace` reads
    trace_timeout_s: float = Field(default=TRACE_TIMEOUT_S, gt=0, le=TRACE_TIMEOUT_MAX_S)
    # The bubblewrap binary every run is sandboxed with; where it cannot start, free-form code
    # is switched off (a path that does not exist forces that, for tests).
    bwrap_path: str = BWRAP_PATH


class Settings(RunSettings):
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
    # Development: templates are re-read when their files change. Off, they are compiled once.
    dev: bool = False
    trace_workers: int = Field(default=2, ge=1, le=16)
    # Sandboxed workers kept started and waiting (at least trace_workers): a burst of runs is
    # served first from these, started while the machine was idle. Each costs memory (~40 MB).
    trace_warm: int = Field(default=6, ge=1, le=64)
    # Runs waiting for a worker: a workshop's burst (30 learners pressing Run at once) queues,
    # each learner sees their place in it; only past this is a run refused.
    trace_queue: int = Field(default=64, ge=1, le=256)
    # Start the trace workers with the app (in the background); off, they start on first use.
    trace_prestart: bool = True
    # The share of the queue one client address may hold (runs waiting or running); turns go
    # round-robin between addresses, and between learners within one.
    trace_queue_share: float = Field(default=0.25, gt=0, le=1)
    # Perf measures one comparison at a time; a request waits this long for its turn, then 503.
    perf_wait_s: float = Field(default=10.0, gt=0, le=120)

    # Runs a learner may start (knob reruns, "measure again"), in the `limits` notation.
    run_rate: str = "12/minute"
    # Runs one client address may start (behind a trusted proxy: the forwarded address; IPv6:
    # its /64), whatever cookies it sends. Higher than a learner's: a classroom may share one.
    run_rate_per_address: str = "60/minute"
    # Where the rate limiter counts: in this process, or e.g. "async+redis://host:6379" when
    # several processes serve the app.
    run_rate_storage: str = "async+memory://"

    # Retention: recorded runs older than this are dropped, and all but the newest few of
    # identical runs; learners with no progress for this long are forgotten.
    run_retention_days: float = Field(default=30.0, gt=0)
    # Learners' own recorded runs (Try, Challenge, Project) are kept compressed; past this many
    # megabytes for one learner, their oldest runs are dropped; past the total for all
    # learners together, the oldest of anyone's.
    run_budget_mb: float = Field(default=20.0, gt=0, le=100_000)
    run_storage_mb: float = Field(default=2048.0, ge=1, le=10_000_000)
    runs_per_request: int = Field(default=3, ge=1, le=1000)
    idle_learner_days: float = Field(default=365.0, gt=0)
    # How often the server prunes (seconds); 0 turns the schedule off (`loopscope db prune`).
    prune_interval_s: float = Field(default=3600.0, ge=0)

    # The Host names this app answers to; anything else gets 400. Behind a reverse proxy, list
    # the public name. "*" allows any (then the Host header goes into absolute URLs as sent).
    allowed_hosts: HostList = LOOPBACK_HOSTS
    # Trust X-Forwarded-For / X-Forwarded-Proto only from these addresses (comma-separated);
    # off by default: set it to the reverse proxy's address when there is one.
    proxy_headers: bool = False
    forwarded_allow_ips: str = "127.0.0.1"

    # Slow and idle clients: each request (head and body) must arrive whole within
    # read_timeout_s, a kept-alive connection is closed after timeout_keep_alive_s of silence,
    # and request heads over max_header_bytes are refused.
    read_timeout_s: float = Field(default=10.0, gt=0, le=300)
    timeout_keep_alive_s: float = Field(default=5.0, ge=1, le=300)
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, le=1024 * 1024)
    # Connections served at once; past it uvicorn answers 503 at once.
    limit_concurrency: int | None = Field(default=1000, ge=1)

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("run_rate", "run_rate_per_address")
    @classmethod
    def _check_rate(cls, value: str) -> str:
        from limits import parse  # a tenth of a second: `loopscope trace` never needs it

        parse(value)  # raises ValueError with the notation's rules
        return value

    @property
    def trace_pool(self) -> int:
        """Warm workers the engine keeps: ``trace_warm``, never fewer than run at once."""
        return max(self.trace_warm, self.trace_workers)

    @property
    def trace_address_share(self) -> int:
        """Runs one address may hold in the queue (waiting or running): at least one.

        >>> Settings(trace_queue=64, trace_queue_share=0.25).trace_address_share
        16
        """
        return max(1, int(self.trace_queue * self.trace_queue_share))

    @property
    def run_budget(self) -> RunBudget:
        from loopscope.storage import RunBudget

        return RunBudget(
            per_learner=int(self.run_budget_mb * MB), total=int(self.run_storage_mb * MB)
        )

    @property
    def retention(self) -> Retention:
        from loopscope.storage import Retention

        return Retention(
            run_days=self.run_retention_days,
            runs_per_request=self.runs_per_request,
            idle_learner_days=self.idle_learner_days,
        )

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
    # Live room pages (SSE streams) one process holds open per learner cookie, and per room;
    # past either a new stream is refused with 429 (the open ones keep going).
    room_streams_per_learner: int = Field(default=8, ge=1, le=100)
    room_streams_per_room: int = Field(default=2000, ge=10, le=100_000)

    @property
    def embedded_database(self) -> bool:
        """The database is the SQLite file in ``data_dir`` (no ``database_url``)."""
        return not self.database_url

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'loopscope.sqlite3'}"

    @cached_property
    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        from loopscope.datadir import KEY_FILE, private_dir, write_private

        key_file = self.data_dir / KEY_FILE
        if key_file.exists():
            return key_file.read_text().strip()
        private_dir(self.data_dir)
        key = secrets.token_urlsafe(32)
        write_private(key_file, key)  # 0600 from its first byte
        return key
