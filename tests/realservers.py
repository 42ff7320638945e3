"""Real servers for tests and benchmarks: PostgreSQL, Redis and the app itself, on loopback.

Never mocks. PostgreSQL is Debian's (``/usr/lib/postgresql/15/bin``, installed by ``.ci/run``):
a throwaway cluster in a temporary folder, started as the ``postgres`` user (PostgreSQL refuses
to run as root) on a free loopback port, without fsync. Redis is ``redis-server`` without
persistence. Each helper is a context manager that stops what it started.

    with postgres() as url, redis(tmp) as redis_url:
        with app_server(tmp / "a", env={"LOOPSCOPE_DATABASE_URL": url, ...}) as base_url:
            ...
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("LOOPSCOPE_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def missing_servers() -> str | None:
    """Why the real-server tests cannot run here, or None when they can."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        return f"PostgreSQL 15 is not installed ({PG_BIN}/initdb); .ci/run installs it"
    if not Path(REDIS_SERVER).exists():
        return "redis-server is not installed; .ci/run installs it"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "runuser is missing, so PostgreSQL cannot be started as a non-root user"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A fresh PostgreSQL cluster; yields its SQLAlchemy async URL (asyncpg).

    Its folder is a new temporary one of its own (the ``postgres`` user must be able to reach
    it, which pytest's per-user temporary folders do not allow), removed afterwards.
    """
    folder = Path(tempfile.mkdtemp(prefix="loopscope-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        folder.chmod(0o700)
    port = free_port()
    subprocess.run(
        _as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
             "--no-sync", "-E", "UTF8"]
        ),
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    options += " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    subprocess.run(
        _as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l",
             str(folder / "server.log"), "-w", "-t", "60", "start"]
        ),
        check=True, capture_output=True, timeout=90,
    )  # fmt: skip
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def redis(parent: Path) -> Iterator[str]:
    """A fresh redis-server with no persistence; yields its redis:// URL."""
    port = free_port()
    folder = parent / "redis"
    folder.mkdir(parents=True)
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder), "--protected-mode", "yes"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_for_port(port, server, folder / "server.log")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server on port {port} did not start: {log.read_text()}")
        time.sleep(0.05)


@contextlib.contextmanager
def app_server(
    data_dir: Path, *, env: Mapping[str, str] = {}, port: int | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``loopscope serve`` on a free loopback port; yields its base URL and process."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log = (data_dir / "server.log").open("w")
    environment = {
        **os.environ,
        "LOOPSCOPE_DATA_DIR": str(data_dir),
        "LOOPSCOPE_TRACE_WORKERS": "1",
        **env,
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "loopscope"), "serve", "--host", "127.0.0.1",
         "--port", str(port)],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((data_dir / "server.log").read_text())
            time.sleep(0.1)
        yield url, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
        log.close()
