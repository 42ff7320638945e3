"""The two messages between a parent and a worker process.

The worker starts, warms up (imports, demo upstream), writes ``ready`` and a newline to its
stdout, then reads one ``Job`` line from its stdin, runs it and exits after writing either
``trace`` and a newline followed by the trace's JSON (kept as it arrived: the app stores these
bytes), or one ``Reply`` saying why there is no trace.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from visualizer.errors import (
    BadCall,
    FileNotFound,
    NotAwaitable,
    SourceSyntaxError,
    TraceInputError,
    WorkerFailed,
)
from visualizer.model import Trace
from visualizer.request import Limits, TraceRequest

READY = b"ready\n"
TRACE = b"trace\n"


class Job(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    call: str
    watch: tuple[str, ...]
    wall_s: float
    max_events: int
    max_output_bytes: int

    @classmethod
    def of(cls, request: TraceRequest) -> Job:
        return cls(
            file=str(request.file.resolve()),
            call=request.call,
            watch=request.watch,
            wall_s=request.limits.wall_s,
            max_events=request.limits.max_events,
            max_output_bytes=request.limits.max_output_bytes,
        )

    @property
    def limits(self) -> Limits:
        return Limits(
            wall_s=self.wall_s, max_events=self.max_events, max_output_bytes=self.max_output_bytes
        )


class InputProblem(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    message: str
    file: str = ""
    line: int | None = None

    @classmethod
    def of(cls, error: TraceInputError) -> InputProblem:
        if isinstance(error, SourceSyntaxError):
            return cls(
                kind=type(error).__name__, message=error.message, file=error.file, line=error.line
            )
        return cls(kind=type(error).__name__, message=str(error))

    def to_error(self) -> TraceInputError:
        if self.kind == "SourceSyntaxError":
            return SourceSyntaxError(self.file, self.line, self.message)
        kinds: dict[str, type[TraceInputError]] = {
            "FileNotFound": FileNotFound,
            "BadCall": BadCall,
            "NotAwaitable": NotAwaitable,
        }
        return kinds.get(self.kind, TraceInputError)(self.message)


class Reply(BaseModel):
    model_config = ConfigDict(frozen=True)

    trace: Trace | None = None
    input_error: InputProblem | None = None
    failure: str | None = None

    def unwrap(self) -> Trace:
        if self.trace is not None:
            return self.trace
        if self.input_error is not None:
            raise self.input_error.to_error()
        raise WorkerFailed(f"the trace worker failed: {self.failure or 'no reply'}")


def decode(output: bytes) -> Trace:
    """The trace in a worker's whole stdout, or the error it reports."""
    body = output.removeprefix(READY)
    if body.startswith(TRACE):
        return Trace.from_json(body.removeprefix(TRACE))
    if not body.strip():
        raise WorkerFailed("the trace worker ended without a reply (killed or out of memory?)")
    return Reply.model_validate_json(body).unwrap()
