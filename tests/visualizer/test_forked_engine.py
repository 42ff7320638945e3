"""The forked engine for lesson examples: forks of one warm interpreter in one shared sandbox,
each run a process of its own, learner code refused, a run past its limit killed alone, a dead
fork server replaced, and the idle lane's runs at the idle CPU policy."""

import asyncio
import os
import signal
from pathlib import Path

import pytest
from tracesamples import SAMPLES

from visualizer import Limits, TraceEngine, TraceLimitExceeded, TraceRequest, WorkerFailed

pytestmark = [pytest.mark.slow, pytest.mark.anyio]
REQUEST = TraceRequest(SAMPLES / "canonical.py", 'fetch_data("https://api.example.com/data")')
WHO = """\
import asyncio
import os

FOUND = {found!r}


async def main():
    await asyncio.sleep(0.2)  # the other run is alive meanwhile
    with open(__file__) as copy:  # the copy this run was sent, in its own folder
        here = copy.read()
    return [FOUND in here, os.getpid(), os.sched_getscheduler(0) == os.SCHED_IDLE]
"""

STUCK = """\
import signal
import time


async def main():
    signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals))
    time.sleep(60)
"""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _forks_of(pid: int) -> list[int]:
    """The live children of the fork server started as ``pid`` (bwrap, or the server)."""
    todo = [pid]
    while todo:
        here = todo.pop()
        if b"forkserver" in Path(f"/proc/{here}/cmdline").read_bytes():
            return _children(here)
        todo += _children(here)
    raise AssertionError("no fork server under the engine's process")


def _who(tmp_path: Path, name: str) -> Path:
    """Two files of the same name (``who.py``) in two folders, each knowing its own mark."""
    folder = tmp_path / name
    folder.mkdir()
    file = folder / "who.py"
    file.write_text(WHO.format(found=name), encoding="utf-8")
    return file


async def test_forked_runs_are_processes_of_their_own_each_with_its_own_copy(
    tmp_path: Path,
) -> None:
    """Two runs at once of two files with the same name: each reads its own copy (each child
    has its own scratch folder), each in a process of its own, neither at the idle policy."""
    async with TraceEngine(workers=2, forked=True) as engine:
        traces = await asyncio.gather(
            *(engine.trace(TraceRequest(_who(tmp_path, name), "main()")) for name in ("a", "b"))
        )
    results = [trace.result for trace in traces]
    assert all(result is not None and result.startswith("[True, ") for result in results)
    assert results[0] != results[1]  # two process ids
    assert all(result is not None and result.endswith("False]") for result in results)


async def test_an_idle_engine_runs_at_the_idle_cpu_policy(tmp_path: Path) -> None:
    async with TraceEngine(workers=1, forked=True, idle=True) as engine:
        trace = await engine.trace(TraceRequest(_who(tmp_path, "a"), "main()"))
    assert trace.result is not None
    assert trace.result.endswith("True]")


async def test_a_forked_engine_refuses_learner_code() -> None:
    learner = TraceRequest(REQUEST.file, REQUEST.call, origin="learner")
    async with TraceEngine(workers=1, forked=True) as engine:
        with pytest.raises(ValueError, match="lesson examples only"):
            await engine.trace(learner)


def test_idle_runs_are_forked_ones() -> None:
    with pytest.raises(ValueError, match="forked"):
        TraceEngine(workers=1, idle=True)


async def test_a_run_past_its_limit_is_killed_alone_and_the_next_run_works(
    tmp_path: Path,
) -> None:
    """The traced code blocks the stop signal and sleeps in C: only a kill ends its fork. The
    fork server and the next run carry on."""
    stuck = tmp_path / "stuck.py"
    stuck.write_text(STUCK, encoding="utf-8")
    request = TraceRequest(stuck, "main()", limits=Limits(wall_s=0.5))
    async with TraceEngine(workers=1, forked=True) as engine:
        with pytest.raises(TraceLimitExceeded):
            await engine.trace(request)
        server = engine._forks
        trace = await engine.trace(REQUEST)
        assert engine._forks is server
        await engine.warm()
        assert server is not None
        assert len(_forks_of(server._process.pid)) == 1  # the warm one: the stuck one is gone
    assert trace.error is None
    assert len(trace.steps) == 7


async def test_a_dead_fork_server_is_replaced() -> None:
    """The fork server (and its sandbox, with every warm child) is killed from outside: the
    next run fails or not, but the engine starts another server and runs after it work."""
    async with TraceEngine(workers=1, warm=1, forked=True) as engine:
        await engine.warm()
        server = engine._forks
        assert server is not None
        os.killpg(server._process.pid, signal.SIGKILL)
        with pytest.raises(WorkerFailed):  # the warm child died with it
            await engine.trace(REQUEST)
        trace = await engine.trace(REQUEST)
    assert trace.error is None
    assert len(trace.steps) == 7
    assert engine._forks is not server
