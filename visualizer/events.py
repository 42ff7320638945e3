"""The raw events of a run: one typed, frozen record per kind, discriminated by ``kind``.

The worker builds these on its hot path (plain slotted dataclasses: cheap to make), the contract
JSON carries them (pydantic validates and dumps them through ``Event``, the union on ``kind``),
and every reader (the condenser, the analyses, the Perfetto export, the app's views) reads their
fields. ``detail``, the contract's sentence, is made from the fields by ``visualizer.wording``
when the JSON is written; nothing ever parses it back.

    >>> LineRan(t_ms=1.5, task="fetch_data(url)", line=5, frame="fetch_data").kind
    'line'

Every event has ``t_ms`` (from the start of the run), ``task`` (the task it happened in, or
None for the loop itself) and ``line`` (the traced file's line, or None). Variables travel as
deltas: ``changes`` holds only the locals of ``frame`` whose display string changed since that
frame's previous event (see ``visualizer.model``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import Field

StopReason = Literal["time", "steps", "output"]
AwaitRole = Literal["await", "aenter", "aexit", "anext"]
WaitOn = Literal["yield", "task", "gather", "future", "value"]
WakeReason = Literal["timer", "thread", "connected", "socket"]
BlockCause = Literal["sleep", "sync_http", "cpu"]
Outcome = Literal["returned", "raised", "cancelled"]
PhaseState = Literal["started", "complete", "failed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Base:
    t_ms: float
    task: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorText:
    """An exception as the trace shows it: its type name and its short repr."""

    type: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CoroutineCreated(_Base):
    """The traced call was evaluated: ``fetch_data(url)`` made a coroutine object."""

    kind: Literal["coroutine"] = "coroutine"
    frame: str
    call: str
    shown: str
    changes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskStarted(_Base):
    """A task of the learner's code was created (``task`` is its name)."""

    kind: Literal["task_start"] = "task_start"
    coroutine: str
    creator: str | None = None
    root: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskDone(_Base):
    kind: Literal["task_done"] = "task_done"
    outcome: Outcome
    value: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FrameEntered(_Base):
    """A coroutine function of the traced file starts running its body."""

    kind: Literal["call"] = "call"
    frame: str
    function: str
    arguments: tuple[str, ...] = ()
    changes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class LineRan(_Base):
    """The statement at ``line`` is about to run (``changes``: what the previous one did)."""

    kind: Literal["line"] = "line"
    frame: str
    changes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot(_Base):
    """The locals at the end of an ``async with`` block, before ``__aexit__``."""

    kind: Literal["snapshot"] = "snapshot"
    frame: str
    changes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class AwaitStarted(_Base):
    """An await (or ``async with`` entry/exit, or ``async for`` step) begins."""

    kind: AwaitRole
    frame: str
    text: str
    target: str | None = None
    changes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Suspended(_Base):
    """The coroutine yields to the loop at an await; ``on`` says what it waits for."""

    kind: Literal["suspend"] = "suspend"
    frame: str
    on: WaitOn
    subject: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Resumed(_Base):
    kind: Literal["resume"] = "resume"
    frame: str
    thrown: ErrorText | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AwaitDone(_Base):
    """The await gave its value (``changes``: the assignment target and its watches)."""

    kind: Literal["awaited"] = "awaited"
    frame: str
    value: str
    end_of_iteration: bool = False
    changes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Raised(_Base):
    """An await failed: the awaitable raised ``error`` into the coroutine."""

    kind: Literal["exception"] = "exception"
    frame: str
    error: ErrorText


@dataclass(frozen=True, slots=True, kw_only=True)
class Caught(_Base):
    kind: Literal["caught"] = "caught"
    frame: str
    error: ErrorText | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Unwound(_Base):
    """An exception leaves ``frame`` uncaught."""

    kind: Literal["unwind"] = "unwind"
    frame: str
    error: ErrorText


@dataclass(frozen=True, slots=True, kw_only=True)
class Returned(_Base):
    kind: Literal["return"] = "return"
    frame: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientCreated(_Base):
    """An httpx client was built; building its TLS context held the loop for ``ms``."""

    kind: Literal["client"] = "client"
    client: int
    sync: bool
    ms: float
    cpu_ms: float


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestSent(_Base):
    """httpx starts request number ``request`` (``line``: the learner's line that made it)."""

    kind: Literal["request"] = "request"
    request: int
    method: str
    url: str
    sync: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpPhase(_Base):
    """One httpcore phase event: ``connect_tcp`` ``started``, ``start_tls`` ``complete``..."""

    kind: Literal["http"] = "http"
    request: int
    scope: str  # httpcore's prefix: "connection", "http11", "http2"
    phase: str
    state: PhaseState
    host: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseArrived(_Base):
    kind: Literal["response"] = "response"
    request: int
    status_code: int
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Wake:
    """One reason ``select()`` returned: a timer, another thread, a connect, a socket."""

    reason: WakeReason
    peer: str = ""
    readable: bool = False
    writable: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class IoWait(_Base):
    """The loop slept ``ms`` in the OS selector and was woken by ``woken`` (empty: a timer)."""

    kind: Literal["io_wait"] = "io_wait"
    ms: float
    woken: tuple[Wake, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Blocked(_Base):
    """``task`` held the loop for ``ms`` at ``line`` without yielding, because of ``cause``."""

    kind: Literal["blocked"] = "blocked"
    frame: str | None = None
    ms: float
    cpu_ms: float
    cause: BlockCause
    calls: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Printed(_Base):
    kind: Literal["output"] = "output"
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Warned(_Base):
    kind: Literal["warning"] = "warning"
    category: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Stopped(_Base):
    kind: Literal["stopped"] = "stopped"
    reason: StopReason


AnyEvent = (
    CoroutineCreated
    | TaskStarted
    | TaskDone
    | FrameEntered
    | LineRan
    | Snapshot
    | AwaitStarted
    | Suspended
    | Resumed
    | AwaitDone
    | Raised
    | Caught
    | Unwound
    | Returned
    | ClientCreated
    | RequestSent
    | HttpPhase
    | ResponseArrived
    | IoWait
    | Blocked
    | Printed
    | Warned
    | Stopped
)
# What the contract JSON's ``events`` holds: pydantic picks the class by ``kind``.
Event = Annotated[AnyEvent, Field(discriminator="kind")]
# Events that move a frame's locals.
WithChanges = CoroutineCreated | FrameEntered | LineRan | Snapshot | AwaitStarted | AwaitDone
