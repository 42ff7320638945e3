"""A trace worker process: ``python -m visualizer.worker.process AUTHORITY_DIR [SCRATCH_DIR]``.

It warms up first (httpx, the recorder, the demo upstream in a background thread), says
``ready``, then waits for one job on stdin, runs it, replies on stdout and exits: one fresh
process per trace. The traced code's own stdout and stderr go nowhere (prints are captured by
the recorder); the framed reply travels on a private copy of the original stdout. Resource
limits (address space, file size, open files, CPU seconds) are applied here, in the child.

With ``SCRATCH_DIR`` (the sandbox's private tmpfs) the job's source is written there and run
from there: the learner's real file is never mounted into the sandbox.
"""

from __future__ import annotations

import asyncio
import gc
import math
import os
import resource
import signal
import site
import sys
import types
from dataclasses import replace
from pathlib import Path

import httpx

from visualizer.contract.caps import requests_in
from visualizer.contract.errors import TraceInputError
from visualizer.contract.events import AnyEvent, FrameEntered, Stopped
from visualizer.contract.protocol import (
    GO,
    MAX_JOB_BYTES,
    READY,
    TRACE,
    InputProblem,
    Job,
    failure_reply,
    frame,
    input_error_reply,
)
from visualizer.worker.assemble import run_json
from visualizer.worker.netroute import Route, Tap, install
from visualizer.worker.session import RawRun, install_stop_signal, run_traced
from visualizer.worker.upstream import start_upstream

ADDRESS_SPACE_BYTES = 1024**3
FILE_SIZE_BYTES = 16 * 1024**2
OPEN_FILES = 256
CPU_GRACE_S = 10  # CPU seconds left after the run's own budget, to condense and reply
MAX_FRAMES = 2_000  # traced calls condensed, at most (100 rounds of 10 GETs need ~1,010)
CONDENSE_BUDGET_S = 4.0  # CPU seconds per attempt: past it, fewer events are condensed
MAX_TRACE_BYTES = 8 * 1024**2  # a reply larger than this is cut, stopped at "trace_size"


def _limit(kind: int, soft: int, hard: int | None = None) -> None:
    """Lower ``kind`` to ``soft`` (and the hard limit to ``hard``, default ``soft``)."""
    _old_soft, old_hard = resource.getrlimit(kind)
    hard = soft if hard is None else hard
    if old_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, old_hard), min(hard, old_hard)
    resource.setrlimit(kind, (soft, hard))


def _cpu_limit(wall_s: float) -> None:
    """SIGXCPU (the run stops, "cpu") once the run used ``wall_s`` of CPU (its threads
    together); SIGKILL once condensing took ``CPU_GRACE_S`` more."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(used.ru_utime + used.ru_stime) + max(1, math.ceil(wall_s))
    _limit(resource.RLIMIT_CPU, soft, soft + CPU_GRACE_S)


def _cpu_grace() -> None:
    """The run is over: condensing and replying may use the CPU up to the hard limit."""
    signal.signal(signal.SIGXCPU, signal.SIG_IGN)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))


class _Overtime(Exception):
    """Condensing took longer than ``CONDENSE_BUDGET_S``."""


def _overtime(signum: int, frame: types.FrameType | None) -> None:
    raise _Overtime


def _frames_kept(records: list[AnyEvent]) -> int:
    """How many records to condense: all, or those before the ``MAX_FRAMES``-th call (the
    variable tracker has a column per traced frame, so deep recursion costs frames x steps)."""
    calls = 0
    for index, record in enumerate(records):
        calls += isinstance(record, FrameEntered)
        if calls > MAX_FRAMES:
            return index
    return len(records)


def fitted(raw: RawRun) -> bytes:
    """The reply for ``raw``, at most ``MAX_TRACE_BYTES``: past that (or if condensing it runs
    out of memory or time, as deep recursion makes it) its events are cut and the trace is
    marked stopped at "trace_size"."""
    signal.signal(signal.SIGPROF, _overtime)
    keep = _frames_kept(raw.records)
    while True:
        run = raw
        if keep < len(raw.records):
            cut = raw.records[:keep]
            stop = Stopped(t_ms=cut[-1].t_ms if cut else 0.0, reason="trace_size")
            run = replace(
                raw,
                records=[*cut, stop],
                stopped="trace_size",
                output=raw.output[:4096],
                of_requests=requests_in(raw.records),
            )
        try:
            signal.setitimer(signal.ITIMER_PROF, CONDENSE_BUDGET_S)
            body = TRACE + run_json(run)
        except (MemoryError, _Overtime):
            body = b""
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        if body and len(body) <= MAX_TRACE_BYTES:
            return body
        if keep == 0:
            return failure_reply("the trace was too large to send")
        keep //= 4


def warm_up(upstream_url: str) -> None:
    """Make one request of each kind, untraced, so that first-use costs (anyio's backend
    import, asyncio's TLS transport, h11) are not charged to the learner's first request.

    A synchronous ``httpx.Client`` has no first-use cost left after this (its first request
    costs what its second does: building its TLS context), so none is warmed."""

    async def fetch() -> None:
        async with httpx.AsyncClient() as client:
            await client.get(f"https://{upstream_url}/data")
            await client.get(f"http://{upstream_url}/data")

    asyncio.run(fetch())


def set_up_process() -> None:
    """What a worker process sets once: its resource limits, the stop signal, ``exit()``."""
    _limit(resource.RLIMIT_AS, ADDRESS_SPACE_BYTES)
    _limit(resource.RLIMIT_FSIZE, FILE_SIZE_BYTES)
    _limit(resource.RLIMIT_NOFILE, OPEN_FILES)
    _limit(resource.RLIMIT_CORE, 0)
    install_stop_signal()
    site.setquit()  # started with -S: the traced code may still call exit() or quit()


def silence(*fds: int) -> None:
    """Point ``fds``, and stderr unless ``LOOPSCOPE_WORKER_STDERR`` is set, at /dev/null."""
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in fds:
        os.dup2(quiet, fd)
    if not os.environ.get("LOOPSCOPE_WORKER_STDERR"):
        os.dup2(quiet, 2)
    os.close(quiet)


def main(argv: list[str]) -> int:
    set_up_process()
    return serve(Path(argv[1]), Path(argv[2]) if len(argv) > 2 else None)


def serve(authority: Path, scratch: Path | None) -> int:
    """One run: ``go`` then the job on stdin, ``ready`` then the reply on stdout (the reply
    channel; the traced code's own stdout and stderr go nowhere). Called once per process:
    by ``main`` in a started worker, or in a child of ``visualizer.worker.forkserver``."""
    reply_fd = os.dup(1)
    silence(1)
    if sys.stdin.buffer.readline(len(GO)) != GO:
        return 0  # the parent is gone
    upstream = start_upstream(str(authority / "server.pem"), str(authority / "server.key"))
    tap = Tap(Route(upstream.http_port, upstream.https_port, str(authority / "ca.pem")), {})
    install(tap)
    warm_up("warm-up.example.com")
    # The boot ran with the collector off (see ``visualizer.pool.runner``): what it made lives as
    # long as the process, so it is frozen out of every later collection, and the run itself
    # gets the collector as usual.
    gc.freeze()
    gc.enable()
    with os.fdopen(reply_fd, "wb") as out:
        out.write(READY)
        out.flush()
        line = sys.stdin.buffer.readline(MAX_JOB_BYTES)
        if not line:
            return 0
        job = Job.from_json(line)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # the traced code reads end-of-file
        file = job.place(scratch)
        os.chdir(file.parent)
        _cpu_limit(job.wall_s)
        try:
            raw = run_traced(file, job.call, job.watch, job.limits, tap)
            raw = replace(raw, file=job.file)  # the trace names the file it was sent, not the copy
            _cpu_grace()
            body = fitted(raw)
        except TraceInputError as error:
            body = input_error_reply(InputProblem.of(error))
        except BaseException as error:  # reported to the parent, never printed
            body = failure_reply(f"{type(error).__name__}: {error}")
        out.write(frame(job.nonce, body))
        out.flush()
    return 0


if __name__ == "__main__":
    os._exit(main(sys.argv))
