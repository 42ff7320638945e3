"""Runaway and hostile runs end at their limit within seconds, and leave nothing behind.

Each test runs a coroutine of ``samples/hostile.py`` through the real sandbox as learner code.
Processes the run starts are marked by a unique ``sleep`` argument so the test can look for
survivors on the host afterwards.
"""

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tracesamples import SAMPLES

from visualizer import (
    Limits,
    Trace,
    TraceEngine,
    TraceLimitExceeded,
    TraceRequest,
    run_trace,
    sandbox_status,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not sandbox_status().available, reason=f"no sandbox here: {sandbox_status().reason}"
    ),
]
HOSTILE = SAMPLES / "hostile.py"
LIMITS = Limits(wall_s=3.0, max_events=20_000, max_output_bytes=64_000)
LOOPSCOPE = [sys.executable, "-c", "from loopscope.cli import main; main()", "trace"]
CANONICAL = TraceRequest(SAMPLES / "canonical.py", 'fetch_data("https://api.example.com/data")')


def marker() -> str:
    """A ``sleep`` argument no other process on this machine uses."""
    return f"{4000 + secrets.randbelow(1000)}.{secrets.randbelow(10**6):06d}"


def survivors(mark: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                argv = Path(f"/proc/{name}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if mark.encode() in argv:
                found.append(int(name))
    return found


def learner_run(call: str, limits: Limits = LIMITS) -> tuple[Trace | TraceLimitExceeded, float]:
    started = time.monotonic()
    try:
        outcome: Trace | TraceLimitExceeded = run_trace(
            TraceRequest(HOSTILE, call, limits=limits, origin="learner")
        )
    except TraceLimitExceeded as error:
        outcome = error
    return outcome, time.monotonic() - started


def stopped_at(outcome: Trace | TraceLimitExceeded) -> str | None:
    return outcome.limit if isinstance(outcome, TraceLimitExceeded) else outcome.stopped


def test_children_that_leave_the_session_do_not_outlive_the_run() -> None:
    mark = marker()
    outcome, seconds = learner_run(f"outlive({mark!r})")
    assert isinstance(outcome, Trace)
    assert outcome.result == "3"
    assert seconds < 20
    assert survivors(mark) == []


def test_a_fork_storm_stops_at_the_process_limit_and_leaves_nothing() -> None:
    mark = marker()
    outcome, seconds = learner_run(f"fork_storm({mark!r})")
    assert stopped_at(outcome) == "processes"
    assert seconds < 20
    assert survivors(mark) == []


def test_a_spin_loop_stops_in_time() -> None:
    outcome, seconds = learner_run("spin()")
    assert stopped_at(outcome) in ("time", "steps", "cpu")
    assert seconds < 20


def test_a_memory_bomb_stops_at_the_memory_limit() -> None:
    outcome, seconds = learner_run("memory_bomb()", Limits(wall_s=10.0))
    assert stopped_at(outcome) == "memory"
    assert seconds < 20


def test_deep_recursion_gives_a_bounded_trace() -> None:
    outcome, seconds = learner_run("deep_recursion()", Limits(wall_s=5.0))
    assert isinstance(outcome, Trace)
    assert outcome.stopped in ("steps", "trace_size", "memory")
    assert len(outcome.model_dump_json()) <= 8 * 1024**2
    assert seconds < 30


def test_megabytes_of_output_stop_at_the_output_cap() -> None:
    outcome, seconds = learner_run("chatter()")
    assert isinstance(outcome, Trace)
    assert outcome.stopped == "output"
    assert len(outcome.output.encode()) <= LIMITS.max_output_bytes
    assert seconds < 20


@pytest.mark.anyio
async def test_the_caller_stays_responsive_while_runaways_are_stopped() -> None:
    gaps: list[float] = []

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    async with TraceEngine(workers=2, queue_size=8) as engine:
        ticker = asyncio.create_task(tick())
        requests = [
            TraceRequest(HOSTILE, call, limits=LIMITS, origin="learner")
            for call in ("spin()", f"fork_storm({marker()!r})", "memory_bomb()")
        ]
        outcomes = await asyncio.gather(
            *(engine.trace(request) for request in requests), return_exceptions=True
        )
        after = await engine.trace(CANONICAL)
        ticker.cancel()
    assert all(isinstance(o, Trace | TraceLimitExceeded) for o in outcomes), outcomes
    assert after.error is None
    # A loop blocked by a run would stall for the run's whole length (its 3 s wall clock and
    # more); shorter gaps come from a machine that other work keeps busy.
    assert max(gaps) < LIMITS.wall_s


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_the_command_runs_learner_code_as_the_app_does() -> None:
    ok = subprocess.run(
        [*LOOPSCOPE, str(CANONICAL.file), "--call", CANONICAL.call, "--sandbox", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "LOOPSCOPE_TRACE_TIMEOUT_S": "5"},
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["error"] is None
    stopped = subprocess.run(
        [*LOOPSCOPE, str(HOSTILE), "--call", "chatter()", "--sandbox", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "LOOPSCOPE_TRACE_TIMEOUT_S": "5"},
    )
    assert stopped.returncode == 3
    assert json.loads(stopped.stdout)["stopped"] == "output"
    assert stopped.stderr.count("\n") == 1
    assert "output limit" in stopped.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="a mount namespace of its own needs root here")
def test_a_sandbox_still_setting_up_is_not_charged_for_the_hosts_files() -> None:
    """Until bwrap has pivoted into the sandbox, its process has a mount namespace of its own
    but the host's root: the host's /tmp and its many files are not the run's."""
    from visualizer.pool.guard import _tmpfs_usage

    setting_up = subprocess.Popen(["unshare", "--mount", "sleep", marker()])
    try:
        deadline = time.monotonic() + 10
        while os.readlink(f"/proc/{setting_up.pid}/ns/mnt") == os.readlink("/proc/self/ns/mnt"):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert _tmpfs_usage([setting_up.pid]) == (0, 0)
    finally:
        setting_up.kill()
        setting_up.wait()
