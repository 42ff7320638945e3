"""Export a trace in the Chrome Trace Event format, for https://ui.perfetto.dev.

One track per task (awaits, request phases and stalls as slices; a wait for a pooled connection
is a slice of category ``pool``, before the request is on the wire; a worker thread's work is
on its own track), one for the event loop's
waits in ``select()``; exceptions, warnings and prints as instant events. Names are made from
the events' fields (``visualizer.contract.event_words`` for the sentences), never parsed from text.
"""

from __future__ import annotations

import json
from typing import Any

from visualizer.contract.event_words import cause, detail
from visualizer.contract.events import (
    AwaitDone,
    AwaitStarted,
    Blocked,
    Caught,
    ClientCreated,
    IoWait,
    Printed,
    Raised,
    Returned,
    Stopped,
    Unwound,
    Warned,
)
from visualizer.read.analysis import POOL_WAIT
from visualizer.read.model import Trace

_PID = 1
_LOOP_TID = 0
_INSTANT = (Raised, Unwound, Caught, Warned, Printed, Stopped, Returned)


def _us(ms: float) -> float:
    return round(ms * 1000.0, 1)


def chrome_trace(trace: Trace) -> dict[str, Any]:
    tids: dict[str, int] = {}

    def tid(task: str | None) -> int:
        if task is None:
            return _LOOP_TID
        if task not in tids:
            tids[task] = len(tids) + 1
        return tids[task]

    out: list[dict[str, Any]] = []

    def slice_(name: str, task: str | None, start_ms: float, end_ms: float, cat: str) -> None:
        out.append(
            {
                "name": name,
                "cat": cat,
                "ph": "X",
                "pid": _PID,
                "tid": tid(task),
                "ts": _us(start_ms),
                "dur": max(_us(end_ms - start_ms), 0.1),
            }
        )

    open_awaits: dict[tuple[str | None, str], list[tuple[str, float]]] = {}
    for event in trace.events:
        if isinstance(event, AwaitStarted):
            name = f"{event.kind} {event.text}"
            open_awaits.setdefault((event.task, event.frame), []).append((name, event.t_ms))
        elif isinstance(event, AwaitDone | Raised):
            stack = open_awaits.get((event.task, event.frame))
            if stack:
                name, start = stack.pop()
                slice_(name, event.task, start, event.t_ms, "await")
            if isinstance(event, Raised):
                out.append(_instant(event.kind, detail(event), tid(event.task), event.t_ms))
        elif isinstance(event, IoWait):
            slice_(f"select(): {detail(event)}", None, event.t_ms - event.ms, event.t_ms, "loop")
        elif isinstance(event, Blocked):
            name = f"blocked at line {event.line}: {cause(event)}"
            slice_(name, event.task, event.t_ms - event.ms, event.t_ms, "blocked")
        elif isinstance(event, ClientCreated):
            slice_(detail(event), event.task, event.t_ms - event.ms, event.t_ms, "client")
        elif isinstance(event, _INSTANT):
            out.append(_instant(event.kind, detail(event), tid(event.task), event.t_ms))
    for request in trace.requests:
        ending = "" if request.outcome in ("response", None) else f" ({request.outcome})"
        slice_(
            f"{request.method} {request.url}{ending}",
            request.task,
            request.start_ms,
            request.end_ms,
            "http",
        )
        for phase in request.phases:
            end = phase.end_ms if phase.end_ms is not None else request.end_ms
            if phase.name == POOL_WAIT:  # not on the wire yet: a phase of its own
                slice_(
                    "pool: waiting for a free connection", request.task, phase.start_ms, end, "pool"
                )
                continue
            slice_(phase.name, request.task, phase.start_ms, end, "http")
    meta = [
        {"name": "thread_name", "ph": "M", "pid": _PID, "tid": number, "args": {"name": task}}
        for task, number in tids.items()
    ]
    meta.append(
        {
            "name": "thread_name",
            "ph": "M",
            "pid": _PID,
            "tid": _LOOP_TID,
            "args": {"name": "event loop"},
        }
    )
    meta.append({"name": "process_name", "ph": "M", "pid": _PID, "args": {"name": trace.call}})
    return {"traceEvents": meta + out, "displayTimeUnit": "ms"}


def perfetto_json(trace: Trace) -> bytes:
    """``chrome_trace`` as the JSON file ``loopscope trace --perfetto`` writes."""
    return json.dumps(chrome_trace(trace)).encode()


def _instant(kind: str, text: str, tid: int, t_ms: float) -> dict[str, Any]:
    return {
        "name": f"{kind}: {text}",
        "cat": kind,
        "ph": "i",
        "s": "t",
        "pid": _PID,
        "tid": tid,
        "ts": _us(t_ms),
    }
