"""``loopscope trace FILE --call EXPR [--sandbox]``: the command-line face of the engine.

Exit status: 0 when a trace was recorded (also when the traced code raised), 2 for bad input
(no such file, syntax error, bad or non-awaitable expression) or, with ``--sandbox``, when no
sandbox can start here, 3 when the run passed a limit (the partial trace is printed), 1 when
the worker failed. Errors are one line on stderr, never a traceback. ``--sandbox`` runs the
file as the web app runs learner code: as origin "learner", so never unsandboxed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from visualizer.contract.caps import MAX_EVENTS, MAX_REQUESTS, MAX_STEPS
from visualizer.contract.errors import (
    SandboxUnavailable,
    TraceError,
    TraceInputError,
    TraceLimitExceeded,
)
from visualizer.contract.request import Limits, TraceRequest
from visualizer.pool.runner import start

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_LIMIT = 3

_LIMIT_NAMES = {
    "time": "time",
    "steps": "step (event)",
    "output": "output",
    "memory": "memory",
    "cpu": "CPU time",
    "processes": "process",
    "trace_size": "trace size",
    "requests": "request",
}


def _fail(message: str, code: int) -> int:
    print(f"loopscope trace: {message}", file=sys.stderr)
    return code


def trace_command(
    file: Path,
    call: str,
    *,
    as_json: bool,
    perfetto: Path | None,
    watch: tuple[str, ...],
    learner: bool = False,
    bwrap: str = "bwrap",
    wall_s: float = Limits().wall_s,
    max_events: int = MAX_EVENTS,
    max_steps: int = MAX_STEPS,
    max_requests: int = MAX_REQUESTS,
    full: bool = False,
) -> int:
    try:
        limits = Limits(
            wall_s=wall_s, max_events=max_events, max_steps=max_steps, max_requests=max_requests
        )
    except ValueError as error:
        return _fail(str(error), EXIT_BAD_INPUT)
    request = TraceRequest(
        file,
        call,
        watch=watch,
        limits=limits,
        origin="learner" if learner else "lesson",
    )
    try:
        with start(request, bwrap=bwrap) as running:
            # While the worker warms up, this process imports what it needs to show the
            # trace (pydantic's model in ``finish``): Perfetto's export and rich only if asked.
            if perfetto is not None:
                from visualizer.tools.perfetto import perfetto_json
            if not as_json:
                from rich.console import Console

                from visualizer.tools.terminal import render
            trace = running.finish()
    except SandboxUnavailable as error:
        return _fail(f"no sandbox can start here: {error}", EXIT_BAD_INPUT)
    except TraceInputError as error:
        return _fail(str(error), EXIT_BAD_INPUT)
    except TraceLimitExceeded as error:
        return _fail(str(error), EXIT_LIMIT)
    except TraceError as error:
        return _fail(str(error), EXIT_FAILED)
    if perfetto is not None:
        try:
            perfetto.write_bytes(perfetto_json(trace))
        except OSError as error:
            return _fail(f"cannot write {perfetto}: {error.strerror}", EXIT_FAILED)
    if as_json:
        sys.stdout.buffer.write(trace.contract_json() + b"\n")
        sys.stdout.flush()
    else:
        render(trace, Console(), full=full)
    if trace.stopped is not None and trace.cut is not None:
        return _fail(trace.cut.text, EXIT_LIMIT)
    if trace.stopped is not None:
        from visualizer.contract.events import Stopped

        stop = next((e for e in trace.events if isinstance(e, Stopped)), None)
        where = f" at line {stop.line}" if stop is not None and stop.line is not None else ""
        name = _LIMIT_NAMES[trace.stopped]
        return _fail(f"the run passed its {name} limit and was stopped{where}", EXIT_LIMIT)
    return EXIT_OK
