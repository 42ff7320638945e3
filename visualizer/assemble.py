"""Turn a raw run into the contract JSON: the typed events as they are, the steps condensed."""

from __future__ import annotations

from visualizer.condense import condense
from visualizer.contract import trace_json
from visualizer.session import RawRun
from visualizer.table import ErrorInfo


def run_json(run: RawRun) -> bytes:
    """The trace of ``run`` as JSON (what ``Trace.from_json`` reads and the app stores)."""
    steps = condense(run.records, source=run.source, call=run.call, root=run.root)
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
    )
