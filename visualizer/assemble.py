"""Turn a raw run into the public ``Trace``: events as models, steps condensed."""

from __future__ import annotations

from visualizer.condense import condense
from visualizer.model import ErrorInfo, Event, Trace
from visualizer.session import RawRun


def to_trace(run: RawRun) -> Trace:
    events = tuple(
        Event(
            t_ms=round(record.t_ms, 3),
            kind=record.kind,
            task=record.task,
            line=record.line,
            detail=record.detail,
            frame=record.frame,
            request=record.request,
            ms=record.ms,
            values=record.values,
        )
        for record in run.records
    )
    steps = condense(run.records, source=run.source, call=run.call, root=run.root)
    error = (
        ErrorInfo(type=run.error.type, message=run.error.message, line=run.error.line)
        if run.error
        else None
    )
    return Trace(
        file=run.file,
        call=run.call,
        watch=run.watch,
        root=run.root,
        steps=tuple(steps),
        events=events,
        result=run.result,
        error=error,
        wall_ms=run.wall_ms,
        stopped=run.stopped,
        output=run.output,
        warnings=tuple(run.warnings),
    )
