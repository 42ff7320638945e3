"""Turn a raw run into the contract JSON: the typed events as they are, the steps condensed."""

from __future__ import annotations

from visualizer.contract.caps import CapName, Cut, requests_in
from visualizer.contract.events import StopReason
from visualizer.contract.table import ErrorInfo
from visualizer.contract.wire import trace_json
from visualizer.read.condense import condense
from visualizer.worker.session import RawRun


def run_json(run: RawRun) -> bytes:
    """The trace of ``run`` as JSON (what ``Trace.from_json`` reads and the app stores)."""
    steps = condense(
        run.records,
        source=run.source,
        call=run.call,
        root=run.root,
        max_steps=run.limits.max_steps,
    )
    error = (
        ErrorInfo(type=run.error.type, message=run.error.message, line=run.error.line)
        if run.error
        else None
    )
    return trace_json(
        file=run.file,
        call=run.call,
        watch=run.watch,
        root=run.root,
        steps=steps,
        events=run.records,
        result=run.result,
        error=error,
        wall_ms=run.wall_ms,
        stopped=run.stopped,
        output=run.output,
        warnings=run.warnings,
        cut=cut_of(run, len(steps)),
    )


# The stop reasons are the contract's names ("steps" is the event cap, as it always was).
_CAPS: dict[StopReason, CapName] = {
    "time": "time",
    "steps": "events",
    "output": "output",
    "memory": "memory",
    "cpu": "cpu",
    "processes": "processes",
    "trace_size": "trace_size",
    "requests": "requests",
}


def cut_of(run: RawRun, steps: int) -> Cut | None:
    """Where ``run``'s trace stops short, if it does: the run was stopped, the worker kept a
    prefix, or the table reached its step cap."""
    limits = run.limits
    if run.stopped is None and steps <= limits.max_steps:
        return None
    bounds = {
        "requests": limits.max_requests,
        "events": limits.max_events,
        "steps": limits.max_steps,
        "time": round(limits.wall_s),
    }
    cap: CapName = "steps" if run.stopped is None else _CAPS[run.stopped]
    return Cut(
        cap=cap,
        limit=bounds.get(cap),
        requests=requests_in(run.records),
        of_requests=run.of_requests,
        events=len(run.records),
        steps=min(steps, limits.max_steps),
        of_steps=None,
    )
