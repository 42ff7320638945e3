"""What can go wrong when asking for a trace.

    TraceError
     ├── TraceInputError          the request cannot be run as given (nothing was recorded)
     │    ├── FileNotFound        FILE does not exist or is not a file
     │    ├── SourceSyntaxError   FILE does not compile (``line`` says where)
     │    ├── BadCall             EXPR does not parse or names something FILE lacks
     │    └── NotAwaitable        EXPR evaluates to something that cannot be awaited
     ├── TraceLimitExceeded       the worker ignored its soft limit and was killed
     ├── EngineBusy               the TraceEngine queue is full: try again later
     ├── SandboxUnavailable       learner code asked to run where no sandbox can start
     └── WorkerFailed             the worker process died without a report

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
    """The worker passed its hard time limit (stuck outside Python code) and was killed."""


class EngineBusy(TraceError):
    """Every worker is busy and the queue of waiting traces is full."""


class SandboxUnavailable(TraceError):
    """Free-form (learner) code was asked to run, and the sandbox cannot start here."""


class WorkerFailed(TraceError):
    """The worker process ended without sending a trace (crash, memory limit, signal)."""
