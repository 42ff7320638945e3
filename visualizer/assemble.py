"""Turn a raw run into the public ``Trace``: the typed events as they are, the steps condensed."""

from __future__ import annotations

from visualizer.condense import condense
from visualizer.model import ErrorInfo, Trace
from visualizer.session import RawRun


def to_trace(run: RawRun) -> Trace:
    steps = condense(run.records, source=run.source, call=run.call, root=run.root)
    error = (
        ErrorInfo(type=run.error.type, message=run.error.message, line=run.error.line)
        if run.error
        else None
    )
    return Trace.model_construct(
        file=run.file,
        call=run.call,
        watch=run.watch,
        root=run.root,
        steps=tuple(steps),
        events=tuple(run.records),
        result=run.result,
        error=error,
        wall_ms=run.wall_ms,
        stopped=run.stopped,
        output=run.output,
        warnings=tuple(run.warnings),
    )
