"""What can go wrong when asking for a trace.

    TraceError
     ├── TraceInputError          the request cannot be run as given (nothing was recorded)
     │    ├── FileNotFound        FILE does not exist or is not a file
     │    ├── SourceSyntaxError   FILE does not compile (``line`` says where)
     │    ├── BadCall             EXPR does not parse or names something FILE lacks
     │    └── NotAwaitable        EXPR evaluates to something that cannot be awaited
     ├── TraceLimitExceeded       the run passed a hard limit; its worker was killed
     ├── EngineBusy               the TraceEngine queue is full: try again later
     ├── SandboxUnavailable       learner code asked to run, but no sandbox can start here
     └── WorkerFailed             the worker process died, or sent no valid reply

Exceptions raised by the traced code are not errors of the engine: they are part of the trace
(``Trace.error``). A run that the worker stopped itself at a limit is a trace too, with
``Trace.stopped`` set; only a worker that had to be killed raises ``TraceLimitExceeded``.
Every message is one line, written for the person who asked for the trace.
"""

from __future__ import annotations


class TraceError(Exception):
    """Base class of every error the ``visualizer`` package raises on purpose."""


class TraceInputError(TraceError):
    """The file or the expression cannot be traced; nothing ran."""


class FileNotFound(TraceInputError):
    """``FILE`` does not exist or is not a regular file."""


class SourceSyntaxError(TraceInputError):
    """``FILE`` does not compile.

    >>> str(SourceSyntaxError("demo.py", 3, "invalid syntax"))
    'demo.py: syntax error at line 3: invalid syntax'
    """

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        at = f" at line {line}" if line is not None else ""
        super().__init__(f"{file}: syntax error{at}: {message}")


class BadCall(TraceInputError):
    """``EXPR`` is not a valid expression, or names something ``FILE`` does not define."""


class NotAwaitable(TraceInputError):
    """``EXPR`` gives a value that ``await`` cannot take (e.g. a sync function's result)."""


class TraceLimitExceeded(TraceError):
    """The run passed a hard limit and its worker (or sandbox) was killed; no trace was kept.

    ``limit`` names which: ``"time"`` (stuck outside Python code past the wall clock),
    ``"memory"`` or ``"processes"`` (counted across the whole sandbox).
    """

    def __init__(self, message: str, *, limit: str = "time") -> None:
        super().__init__(message)
        self.limit = limit


class EngineBusy(TraceError):
    """Every worker is busy and the queue of waiting traces is full."""


class SandboxUnavailable(TraceError):
    """Learner code never runs unsandboxed: the message is the sandbox probe's reason."""


class WorkerFailed(TraceError):
    """The worker ended without a valid reply (crash, signal, a malformed or oversized reply)."""
