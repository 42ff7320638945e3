"""The two messages between a parent and a worker process, and how the reply is framed.

The worker starts and imports; it waits for ``go`` on its stdin (the parent's word that the
demo authority's files are in place: the trace command makes them while the worker imports),
warms up (demo upstream, a first request), writes ``ready`` and a newline on its reply channel
(the stdout it was started with; the traced code's own stdout goes nowhere), then reads one
``Job`` line from its stdin, runs it, writes one framed reply and exits. The framed
body is either ``trace`` and a newline followed by the trace's JSON (kept as it arrived: the
app stores these bytes), or one ``Reply`` saying why there is no trace.

The parent treats the reply channel as untrusted: the traced code runs in the worker process
and may find and write to any descriptor it holds. So the reply is framed by two marker lines
carrying a per-run nonce that the parent sends with the job (the traced code never sees it
unless it searches the worker's memory for it); the parent reads at most ``MAX_REPLY_BYTES``,
ignores anything outside the frame, and validates the framed JSON strictly. Garbage, a flood,
a truncated or forged reply end in a one-line ``WorkerFailed``, never in a traceback. What the
frame cannot prove is that the trace is true: code running in the tracer's own process could
rewrite the tracer's memory. That is why nothing a trace says is trusted beyond the learner's
own run (it decides the learner's own challenge, never anything of anyone else's).

This module is the worker's side and the frame, and imports no pydantic (a worker's start is
paid for every run); ``visualizer.pool.reply`` is the parent's side: it validates what arrives.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from visualizer.contract.errors import (
    BadCall,
    FileNotFound,
    NotAwaitable,
    SourceSyntaxError,
    TraceInputError,
    WorkerFailed,
)
from visualizer.contract.request import Limits, TraceRequest

GO = b"go\n"  # parent to worker, first: the authority's files are in place
READY = b"ready\n"
TRACE = b"trace\n"
MAX_JOB_BYTES = 4 * 1024**2
MAX_REPLY_BYTES = 24 * 1024**2
_BEGIN = "loopscope-reply"
_END = "loopscope-end"


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One run: ``file`` is the path the trace reports, ``source`` its text as checked."""

    file: str
    source: str
    nonce: str
    call: str
    watch: tuple[str, ...]
    wall_s: float
    max_events: int
    max_output_bytes: int
    max_requests: int = Limits().max_requests
    max_steps: int = Limits().max_steps

    @classmethod
    def of(cls, request: TraceRequest, source: str) -> Job:
        return cls(
            file=str(request.file.resolve()),
            source=source,
            nonce=secrets.token_hex(16),
            call=request.call,
            watch=request.watch,
            wall_s=request.limits.wall_s,
            max_events=request.limits.max_events,
            max_output_bytes=request.limits.max_output_bytes,
            max_requests=request.limits.max_requests,
            max_steps=request.limits.max_steps,
        )

    def to_json(self) -> bytes:
        """One line, as the parent sends it."""
        return json.dumps(asdict(self), ensure_ascii=False).encode("utf-8", "replace")

    @classmethod
    def from_json(cls, line: bytes) -> Job:
        """The job a parent sent (the worker trusts its parent: it only checks the shape)."""
        data = json.loads(line)
        job = cls(**{**data, "watch": tuple(data["watch"])})
        if not all(isinstance(getattr(job, name), str) for name in ("file", "source", "call")):
            raise ValueError("a job's file, source and call are text")
        return job

    def place(self, scratch: Path | None) -> Path:
        """The file to run: a copy of the source in ``scratch`` (sandboxed), else ``file``."""
        if scratch is None:
            return Path(self.file)
        name = Path(self.file).name
        copy = scratch / (name if name.endswith(".py") else "traced.py")
        copy.write_text(self.source, encoding="utf-8")
        return copy

    @property
    def limits(self) -> Limits:
        return Limits(
            wall_s=self.wall_s,
            max_events=self.max_events,
            max_output_bytes=self.max_output_bytes,
            max_requests=self.max_requests,
            max_steps=self.max_steps,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class InputProblem:
    """Why a job could not run: the ``TraceInputError`` the worker met, as data."""

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


def input_error_reply(problem: InputProblem) -> bytes:
    """The reply body for a job whose input was bad (read by ``visualizer.pool.reply.Reply``)."""
    return _json({"input_error": asdict(problem)})


def failure_reply(message: str) -> bytes:
    """The reply body for a run that failed without a trace."""
    return _json({"failure": message})


def _json(data: dict[str, object]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8", "replace")


def frame(nonce: str, body: bytes) -> bytes:
    """The reply as the worker writes it: ``body`` between two marker lines naming the run."""
    return f"\n{_BEGIN} {nonce}\n".encode() + body + f"\n{_END} {nonce}\n".encode()


class ReplyReader:
    """Finds the framed reply in what a worker's reply channel carries, up to a byte cap.

    >>> reader = ReplyReader("ab12")
    >>> reader.feed(b"ready\\ngarbage" + frame("ab12", b"{}")[:9]) is None
    True
    >>> reader.feed(frame("ab12", b"{}")[9:])
    b'{}'
    """

    def __init__(self, nonce: str, *, cap: int = MAX_REPLY_BYTES) -> None:
        self._begin = f"\n{_BEGIN} {nonce}\n".encode()
        self._end = f"\n{_END} {nonce}\n".encode()
        self._cap = cap
        self._buffer = bytearray()

    def feed(self, chunk: bytes) -> bytes | None:
        """Take what was read; return the framed body once its end marker has arrived."""
        searched = max(0, len(self._buffer) - len(self._end))
        self._buffer += chunk
        if len(self._buffer) > self._cap:
            raise WorkerFailed(
                f"the trace worker sent more than {self._cap // 1024**2} MB; the run was stopped"
            )
        end = self._buffer.find(self._end, searched)
        if end < 0:
            return None
        begin = self._buffer.rfind(self._begin, 0, end)
        if begin < 0:
            raise WorkerFailed("the trace worker sent a malformed reply")
        return bytes(self._buffer[begin + len(self._begin) : end])

    @staticmethod
    def ended() -> WorkerFailed:
        """The error for a channel that closed before a reply arrived."""
        return WorkerFailed("the trace worker ended without a reply (killed or out of memory?)")
