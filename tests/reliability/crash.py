"""Answers under a kill -9: start the real server, send a burst of quiz answers from several
learners, kill the server with SIGKILL mid-burst, then check every acknowledged answer against
the database and run SQLite's integrity check. Used by the test suite and bench/reliability.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from lessons import load_catalog
from loopscope.web.middleware.learner import COOKIE_NAME, learner_signer, read_learner

HOST = "127.0.0.1"
SECRET = "crash-test-secret"
TOKEN_FIELD = 'name="csrf_token" value="'


@dataclass
class CrashOutcome:
    kill_after: int = 0  # ``enough`` is set once this many answers are acknowledged
    enough: asyncio.Event = field(default_factory=asyncio.Event)
    asked: int = 0  # answers the learners would send if nothing stopped them
    acknowledged: set[tuple[str, str, str]] = field(default_factory=set)
    found: set[tuple[str, str, str]] = field(default_factory=set)
    integrity: str = ""

    @property
    def lost(self) -> set[tuple[str, str, str]]:
        return self.acknowledged - self.found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "LOOPSCOPE_DATA_DIR": str(data_dir),
        "LOOPSCOPE_SECRET_KEY": SECRET,
        "LOOPSCOPE_TRACE_PRESTART": "false",
        "LOOPSCOPE_PRUNE_INTERVAL_S": "0",
        "LOOPSCOPE_ALLOWED_HOSTS": HOST,
    }
    loopscope = str(Path(sys.executable).parent / "loopscope")
    server = subprocess.Popen(
        [loopscope, "serve", "--host", HOST, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start within 90 s")


async def _learner(
    url: str, slug: str, questions: list[tuple[str, str]], outcome: CrashOutcome
) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        try:
            page = await client.get(f"/lessons/{slug}/recall")
            token = page.text.split(TOKEN_FIELD, 1)[1].split('"', 1)[0]
            learner = read_learner(client.cookies.get(COOKIE_NAME), learner_signer(SECRET))
            assert learner is not None
            for question, option in questions:
                response = await client.post(
                    f"/lessons/{slug}/quiz/{question}",
                    data={"csrf_token": token, "choice": option},
                )
                if response.status_code == 303:
                    outcome.acknowledged.add((learner, question, option))
                    if len(outcome.acknowledged) >= outcome.kill_after:
                        outcome.enough.set()
        except (httpx.HTTPError, IndexError):
            return  # the server is gone: what was acknowledged is what counts


async def _burst(
    url: str, learners: int, kill_after: int, server: subprocess.Popen[bytes]
) -> CrashOutcome:
    lesson = load_catalog().lessons[0]
    questions = [(q.id, q.options[0].id) for q in lesson.recall.quiz]
    outcome = CrashOutcome(kill_after, asked=learners * len(questions))
    tasks = [
        asyncio.create_task(_learner(url, lesson.slug, questions, outcome)) for _ in range(learners)
    ]
    with contextlib.suppress(TimeoutError):  # killed anyway: the test counts what was answered
        await asyncio.wait_for(outcome.enough.wait(), timeout=60)
    server.send_signal(signal.SIGKILL)  # mid-burst: other answers are in flight
    await asyncio.gather(*tasks)
    return outcome


def crash_during_answers(
    data_dir: Path, *, learners: int = 6, kill_after: int = 15
) -> CrashOutcome:
    server, url = start_server(data_dir)
    try:
        outcome = asyncio.run(_burst(url, learners, kill_after, server))
    finally:
        server.kill()
        server.wait(timeout=10)
    with sqlite3.connect(data_dir / "loopscope.sqlite3") as db:
        outcome.integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        outcome.found = set(
            db.execute("SELECT learner_id, question_id, option_id FROM quiz_answers").fetchall()
        )
    db.close()
    return outcome
