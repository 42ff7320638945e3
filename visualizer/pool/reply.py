"""The parent's side of the reply: what a worker sent, validated strictly (see
``visualizer.contract.protocol`` for the frame, and why the channel is untrusted)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from visualizer.contract.errors import WorkerFailed
from visualizer.contract.protocol import TRACE, InputProblem
from visualizer.read.model import Trace


class Reply(BaseModel):
    """A reply without a trace: the input error, or the failure, the worker reported."""

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


def decode(body: bytes, file: str) -> Trace:
    """The trace in a framed reply body, or the error it reports; ``file`` is the path the
    trace names (the sandboxed worker ran a copy)."""
    try:
        if body.startswith(TRACE):
            trace = Trace.from_json(body.removeprefix(TRACE))
        else:
            reply = Reply.model_validate_json(body, strict=True)
            if reply.trace is not None or (reply.input_error is None) == (reply.failure is None):
                raise WorkerFailed("the trace worker sent a malformed reply")
            trace = reply.unwrap()  # raises the reported error
    except ValidationError:
        raise WorkerFailed("the trace worker sent a malformed reply") from None
    if trace.file != file:  # the worker names the file it was sent; anything else is forged
        raise WorkerFailed("the trace worker sent a malformed reply")
    return trace
