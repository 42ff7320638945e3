"""Export a trace in the Chrome Trace Event format, for https://ui.perfetto.dev.

One track per task (awaits, request phases and stalls as slices), one for the event loop's
waits in ``select()``; exceptions, warnings and prints as instant events.
"""

from __future__ import annotations

from typing import Any

from visualizer.model import Trace

_PID = 1
_LOOP_TID = 0
_AWAIT_KINDS = {"await", "aenter", "aexit", "anext"}
_INSTANT_KINDS = {"exception", "unwind", "caught", "warning", "output", "stopped", "return"}


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

    open_awaits: dict[tuple[str | None, str | None], list[tuple[str, float]]] = {}
    for event in trace.events:
        if event.kind in _AWAIT_KINDS:
            name = f"{event.kind} {event.detail}"
            open_awaits.setdefault((event.task, event.frame), []).append((name, event.t_ms))
        elif event.kind in ("awaited", "exception"):
            stack = open_awaits.get((event.task, event.frame))
            if stack:
                name, start = stack.pop()
                slice_(name, event.task, start, event.t_ms, "await")
        elif event.kind == "io_wait" and event.ms is not None:
            slice_(f"select(): {event.detail}", None, event.t_ms - event.ms, event.t_ms, "loop")
        elif event.kind == "blocked" and event.ms is not None:
            name = f"blocked at line {event.line}"
            slice_(name, event.task, event.t_ms - event.ms, event.t_ms, "blocked")
        elif event.kind in _INSTANT_KINDS:
            out.append(
                {
                    "name": f"{event.kind}: {event.detail}",
                    "cat": event.kind,
                    "ph": "i",
                    "s": "t",
                    "pid": _PID,
                    "tid": tid(event.task),
                    "ts": _us(event.t_ms),
                }
            )
    for request in trace.requests:
        slice_(
            f"{request.method} {request.url}",
            request.task,
            request.start_ms,
            request.end_ms,
            "http",
        )
        for phase in request.phases:
            end = phase.end_ms if phase.end_ms is not None else request.end_ms
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
