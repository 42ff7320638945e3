"""``run_trace``: one trace in a fresh worker process, synchronously.

The request is checked here first (file, syntax, expression), so bad input fails fast with
one clear line and no process is started. The worker enforces its own soft limits and returns a
partial trace; only if it does not answer by ``wall_s`` plus a grace period is it killed, and
``TraceLimitExceeded`` raised.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from visualizer.authority import Authority, default_authority
from visualizer.errors import TraceLimitExceeded
from visualizer.model import Trace
from visualizer.protocol import Job, decode
from visualizer.request import TraceRequest
from visualizer.session import load, parse_call, parse_watches

STARTUP_ALLOWANCE_S = 10.0
GRACE_S = 3.0
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


def check(request: TraceRequest) -> None:
    """Raise the ``TraceInputError`` a worker would raise before running anything."""
    load(request.file)
    parse_call(request.call)
    parse_watches(request.watch)


def worker_command(authority: Authority) -> list[str]:
    return [sys.executable, "-m", "visualizer.worker", str(authority.ca_pem.parent)]


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
    env.pop("PYTHONWARNINGS", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def limit_message(request: TraceRequest) -> str:
    return (
        f"the run passed its {request.limits.wall_s:g} s time limit and did not stop;"
        " the worker was killed"
    )


def run_trace(request: TraceRequest, *, authority: Authority | None = None) -> Trace:
    """Trace ``request.call`` in ``request.file`` in a fresh worker; blocks until done."""
    check(request)
    authority = authority or default_authority()
    process = subprocess.Popen(
        worker_command(authority),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None if os.environ.get("LOOPSCOPE_WORKER_STDERR") else subprocess.DEVNULL,
        env=worker_env(),
    )
    payload = Job.of(request).model_dump_json().encode() + b"\n"
    timeout = STARTUP_ALLOWANCE_S + request.limits.wall_s + GRACE_S
    try:
        output, _ = process.communicate(payload, timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise TraceLimitExceeded(limit_message(request)) from None
    return decode(output)
