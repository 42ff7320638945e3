"""A trace worker process: ``python -m visualizer.worker AUTHORITY_DIR``.

It warms up first (httpx, the recorder, the demo upstream in a background thread), says
``ready``, then waits for one job on stdin, runs it, replies on stdout and exits: one fresh
process per trace. The traced code's own stdout and stderr go nowhere (prints are captured by
the recorder); the reply travels on a private copy of the original stdout. Resource limits
(address space, file size, CPU seconds) are applied here, in the child.
"""

from __future__ import annotations

import asyncio
import os
import resource
import sys
from pathlib import Path

import httpx

from visualizer.assemble import to_trace
from visualizer.errors import TraceInputError
from visualizer.netroute import Route, Tap, install
from visualizer.protocol import READY, TRACE, InputProblem, Job, Reply
from visualizer.session import install_stop_signal, run_traced
from visualizer.upstream import start_upstream

ADDRESS_SPACE_BYTES = 2 * 1024**3
FILE_SIZE_BYTES = 16 * 1024**2
CPU_GRACE_S = 5


def _limit(kind: int, value: int) -> None:
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard if hard != resource.RLIM_INFINITY else value))


def _cpu_limit(wall_s: float) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime)
    _limit(resource.RLIMIT_CPU, spent + int(wall_s) + CPU_GRACE_S)


def warm_up(upstream_url: str) -> None:
    """Make one request of each kind, untraced, so that first-use costs (anyio's backend
    import, OpenSSL's trust store, h11) are not charged to the learner's first request."""

    async def fetch() -> None:
        async with httpx.AsyncClient() as client:
            await client.get(f"https://{upstream_url}/data")
            await client.get(f"http://{upstream_url}/data")

    asyncio.run(fetch())
    with httpx.Client() as client:
        client.get(f"https://{upstream_url}/data")


def main(argv: list[str]) -> int:
    authority = Path(argv[1])
    reply_fd = os.dup(1)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    if not os.environ.get("LOOPSCOPE_WORKER_STDERR"):
        os.dup2(quiet, 2)
    _limit(resource.RLIMIT_AS, ADDRESS_SPACE_BYTES)
    _limit(resource.RLIMIT_FSIZE, FILE_SIZE_BYTES)
    install_stop_signal()
    upstream = start_upstream(str(authority / "server.pem"), str(authority / "server.key"))
    tap = Tap(Route(upstream.http_port, upstream.https_port, str(authority / "ca.pem")), {})
    install(tap)
    warm_up("warm-up.example.com")
    with os.fdopen(reply_fd, "wb") as out:
        out.write(READY)
        out.flush()
        line = sys.stdin.buffer.readline()
        if not line:
            return 0
        job = Job.model_validate_json(line)
        os.chdir(Path(job.file).parent)
        _cpu_limit(job.wall_s)
        try:
            raw = run_traced(Path(job.file), job.call, job.watch, job.limits, tap)
            body = TRACE + to_trace(raw).model_dump_json().encode()
        except TraceInputError as error:
            body = Reply(input_error=InputProblem.of(error)).model_dump_json().encode()
        except BaseException as error:  # reported to the parent, never printed
            body = Reply(failure=f"{type(error).__name__}: {error}").model_dump_json().encode()
        out.write(body)
        out.flush()
    return 0


if __name__ == "__main__":
    os._exit(main(sys.argv))
