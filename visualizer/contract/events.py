"""The raw events of a run: one typed, frozen record per kind, discriminated by ``kind``.

The worker builds these on its hot path (plain slotted dataclasses: cheap to make), the contract
JSON carries them (``visualizer.contract.wire`` writes it in the worker without pydantic; ``Trace``
validates it through ``visualizer.read.model.Event``, the union on ``kind``),
and every reader (the condenser, the analyses, the Perfetto export, the app's views) reads their
fields. ``detail``, the contract's sentence, is made from the fields by
``visualizer.contract.event_words`` when the JSON is written; nothing ever parses it back.

    >>> LineRan(t_ms=1.5, task="fetch_data(url)", line=5, frame="fetch_data").kind
    'line'

Every event has ``t_ms`` (from the start of the run), ``task`` (the task it happened in, or
None for the loop itself) and ``line`` (the traced file's line, or None). Variables travel as
deltas: ``changes`` holds only the locals of ``frame`` whose display string changed since that
frame's previous event (see ``visualizer.read.model``).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Literal, get_args

NOT_SET = "(not set)"  # the display string of a local that holds no value yet

StopReason = Literal[
    "time", "steps", "output", "memory", "cpu", "processes", "trace_size", "requests"
]
AwaitRole = Literal["await", "aenter", "aexit", "anext"]
WaitOn = Literal["yield", "task", "gather", "future", "value"]
WakeReason = Literal["timer", "thread", "connected", "socket"]
BlockCause = Literal["sleep", "sync_http", "cpu"]
Outcome = Literal["returned", "raised", "cancelled"]
PhaseState = Literal["started", "complete", "failed"]
# What a suspended task waits for (a row's ``waiting_on``): the small vocabulary of the player.
WaitingOn = Literal[
    "network",
    "pool",
    "semaphore",
    "lock",
    "event",
    "condition",
    "queue",
    "sleep",
    "thread",
    "tasks",
    "stream",
]


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
    changes: dict[str, str] = field(default_factory=dict)

    @property
    def arguments(self) -> tuple[str, ...]:
        """``("url='https://…'",)``: at entry, the locals that hold a value are the arguments."""
        return tuple(f"{name}={value}" for name, value in self.changes.items() if value != NOT_SET)


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
    """An await (or ``async with`` entry/exit, or ``async for`` step) begins.

    Its ``target`` (``response`` in ``response = await …``) shows ``(awaiting …)`` meanwhile.
    """

    kind: AwaitRole
    frame: str
    text: str
    target: str | None = None
    # The frame's locals that changed since its previous event (what the statement before did,
    # or this line before its await), so that a change is told at the line that made it.
    before: dict[str, str] = field(default_factory=dict)

    @property
    def changes(self) -> dict[str, str]:
        if self.target is None or self.kind != "await":
            return {}
        return {self.target: f"(awaiting {self.text})"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Suspended(_Base):
    """The task yields to the loop at the await on ``line`` of its innermost traced frame (one
    event per suspension, however deep the awaits); ``on`` says what it waits for."""

    kind: Literal["suspend"] = "suspend"
    on: WaitOn = "future"
    subject: str = ""
    waiting_on: WaitingOn | None = None  # None: a Future of unknown origin


@dataclass(frozen=True, slots=True, kw_only=True)
class Resumed(_Base):
    """The task that suspended at ``line`` runs again (``thrown``: an exception thrown in)."""

    kind: Literal["resume"] = "resume"
    thrown: ErrorText | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Yielded(_Base):
    """A bare yield (``await asyncio.sleep(0)``, a library's checkpoint): the coroutine gave the
    loop one turn and was back ``ms`` later. One event, stamped when it was back: the task never
    waited on anything, it only let the others run."""

    kind: Literal["yield"] = "yield"
    ms: float


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
    """A handler caught ``error``; ``changes``: its ``as`` name bound (and what came before)."""

    kind: Literal["caught"] = "caught"
    frame: str
    error: ErrorText | None = None
    changes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Unwound(_Base):
    """An exception leaves ``frame`` uncaught."""

    kind: Literal["unwind"] = "unwind"
    frame: str
    error: ErrorText


@dataclass(frozen=True, slots=True, kw_only=True)
class Returned(_Base):
    """``frame`` returns ``value``; ``changes``: what its last statement (or the return
    expression) changed since the frame's previous event."""

    kind: Literal["return"] = "return"
    frame: str
    value: str
    changes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientCreated(_Base):
    """An httpx client was built: building its TLS context took ``ms`` of wall time and
    ``cpu_ms`` of its thread's CPU (``thread``: the worker thread's name, None on the loop's)."""

    kind: Literal["client"] = "client"
    client: int
    sync: bool
    ms: float
    cpu_ms: float
    thread: str | None = None
    # Its timeout for each phase (httpx's default is 5 s each; None: no limit).
    connect: float | None = 5.0
    read: float | None = 5.0
    write: float | None = 5.0
    pool: float | None = 5.0


@dataclass(frozen=True, slots=True, kw_only=True)
class TransportBuilt(_Base):
    """The learner's code built an httpx transport itself (``AsyncHTTPTransport(retries=2)``):
    loading its TLS context (the CA bundle) took ``cpu_ms`` of its thread's CPU."""

    kind: Literal["transport"] = "transport"
    ms: float
    cpu_ms: float
    retries: int = 0
    thread: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientClosed(_Base):
    """httpx client number ``client`` was closed (``aclose``/``close`` or leaving its block)."""

    kind: Literal["client_closed"] = "client_closed"
    client: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestSent(_Base):
    """httpx starts request number ``request`` (``line``: the learner's line that made it)."""

    kind: Literal["request"] = "request"
    request: int
    method: str = "GET"
    url: str
    sync: bool = False
    client: int | None = None  # the client that sent it (see ``ClientCreated``)
    thread: str | None = None  # the worker thread that sent it; None: the loop's thread


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpPhase(_Base):
    """One httpcore phase event: ``connect_tcp`` ``started``, ``start_tls`` ``complete``...

    A phase that ends with nothing recorded since it started (sending an empty body, reading
    a body that had arrived) is one event: its end, with ``ms``, how long it took since it
    started. Otherwise ``ms`` is None and its start is an event of its own.

    Besides httpcore's phases, ``connection_pool.wait_for_connection`` is the wait for a free
    pooled connection (``httpx.Limits``), and ``connection.close`` the connection being closed
    while the request was open (a cancelled or failed request). ``error``: the exception's
    type, for a ``failed`` phase.
    """

    kind: Literal["http"] = "http"
    request: int
    scope: str = "http11"  # httpcore's prefix: "connection", "http11", "http2"
    phase: str
    state: PhaseState = "started"
    host: str | None = None
    ms: float | None = None
    error: str | None = None


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
    | Yielded
    | AwaitDone
    | Raised
    | Caught
    | Unwound
    | Returned
    | ClientCreated
    | TransportBuilt
    | ClientClosed
    | RequestSent
    | HttpPhase
    | ResponseArrived
    | IoWait
    | Blocked
    | Printed
    | Warned
    | Stopped
)
# Events that move a frame's locals.
WithChanges = CoroutineCreated | FrameEntered | LineRan | Snapshot | AwaitStarted | AwaitDone


def _defaults(kind: type[Any]) -> tuple[tuple[str, Any], ...]:
    found: list[tuple[str, Any]] = []
    for spec in fields(kind):
        if spec.name in _CONTRACT:
            continue
        if spec.default is not MISSING:
            found.append((spec.name, spec.default))
        elif spec.default_factory is not MISSING:
            found.append((spec.name, spec.default_factory()))
    return tuple(found)


# The contract's keys stay in every event's JSON, whatever their value.
_CONTRACT = frozenset({"t_ms", "kind", "task", "line", "detail"})
_OMITTED: dict[str, tuple[tuple[str, Any], ...]] = {
    name: _defaults(kind)
    for kind in get_args(AnyEvent)
    for name in (
        get_args(AwaitRole)  # AwaitStarted: its kind is its role, no default
        if kind.__dataclass_fields__["kind"].default is MISSING
        else (kind.__dataclass_fields__["kind"].default,)
    )
}
_WAKE_OMITTED = _defaults(Wake)


# Fields whose value is, word for word, the event's ``detail``: the JSON carries it once.
_SAID = dict.fromkeys(get_args(AwaitRole), "text") | {"awaited": "value", "return": "value"}
# An http event's ``detail`` is httpcore's name for it and the host it connects to (see
# ``visualizer.contract.event_words``): "connection.connect_tcp.started api.example.com:443".
_NAMED = ("scope", "phase", "state", "host")


def compact(data: dict[str, Any], said: str) -> dict[str, Any]:
    """An event's JSON (``data``, its fields) as written: with ``said``, its ``detail``, and
    without what reading puts back (``expand``): the fields that hold their default, and those
    the detail already says.

    The contract's keys always stay: ``t_ms``, ``kind``, ``task``, ``line``, ``detail``.
    """
    kind = data["kind"]
    for name, default in _OMITTED[kind]:
        if data.get(name, default) == default:
            data.pop(name, None)
    for wake in data.get("woken", ()):
        for name, default in _WAKE_OMITTED:
            if wake.get(name, default) == default:
                wake.pop(name, None)
    if kind == "http":
        for name in _NAMED:
            data.pop(name, None)
    elif kind in _SAID and data.get(_SAID[kind]) == said:
        del data[_SAID[kind]]
    elif kind == "call" and said.startswith(f"{data.get('function')}("):
        del data["function"]  # the detail starts with it: "fetch(url='…')"
    elif kind in _TOLD and _told(kind, data) == said:
        for name in _TOLD[kind]:
            data.pop(name, None)
    data["detail"] = said
    return data


# Events whose detail says these fields, in this order, after a fixed prefix: the JSON writes
# them once, in the detail (``request.started GET https://…``, ``response.headers 200 OK``,
# ``<coroutine fetch> wrapped in a task by main()``, ``returned 200``; a call's function name
# starts its detail, ``fetch(url='…')``).
_TOLD: dict[str, tuple[str, ...]] = {
    "call": ("function",),
    "request": ("method", "url"),
    "response": ("status_code", "reason"),
    "task_start": ("coroutine", "creator"),
    "task_done": ("outcome", "value"),
}


def _told(kind: str, data: dict[str, Any]) -> str:
    """The detail made from the fields ``_TOLD`` leaves to it (must agree with the wording)."""
    if kind == "request":
        return f"request.started {data.get('method', 'GET')} {data.get('url')}"
    if kind == "response":
        return f"response.headers {data.get('status_code')} {data.get('reason', '')}".rstrip()
    if kind == "task_start":
        creator = data.get("creator")
        by = f" by {creator}" if creator else ""
        return f"{data.get('coroutine')} wrapped in a task{by}"
    outcome = data.get("outcome")
    return outcome if outcome == "cancelled" else f"{outcome} {data.get('value', '')}"


def _untold(kind: str, said: str) -> dict[str, Any] | None:
    """The fields ``_told`` put in ``said``, back; None when it does not read as one."""
    if kind == "call":
        return {"function": said.partition("(")[0]}
    if kind == "request" and said.startswith("request.started "):
        method, _, url = said.removeprefix("request.started ").partition(" ")
        return {"method": method, "url": url} if url else None
    if kind == "response" and said.startswith("response.headers "):
        code, _, reason = said.removeprefix("response.headers ").partition(" ")
        return {"status_code": int(code), "reason": reason} if code.isdigit() else None
    if kind == "task_start" and " wrapped in a task" in said:
        coroutine, _, by = said.partition(" wrapped in a task")
        return {"coroutine": coroutine, "creator": by.removeprefix(" by ") or None}
    if kind == "task_done":
        outcome, _, value = said.partition(" ")
        if outcome in ("returned", "raised", "cancelled"):
            return {"outcome": outcome, "value": value}
    return None


def expand(data: dict[str, Any]) -> dict[str, Any]:
    """The fields ``compact`` left to the detail, back from it (defaults fill themselves in).

    Raises ``ValueError`` for an http detail that is not httpcore's name of a phase.
    """
    kind = data.get("kind")
    said = data.get("detail")
    if not isinstance(said, str):
        return data  # validation reports the missing or malformed detail
    if kind == "http" and "phase" not in data:
        name, _, host = said.partition(" ")
        scope, phase, state = name.split(".") if name.count(".") == 2 else ("", "", "")
        if not (scope and phase and state):
            raise ValueError(f"an http event's detail names no phase: {said[:80]!r}")
        data |= {"scope": scope, "phase": phase, "state": state, "host": host or None}
    elif kind in _SAID and _SAID[kind] not in data:
        data[_SAID[kind]] = said
    elif kind in _TOLD and not any(name in data for name in _TOLD[kind]):
        told = _untold(kind, said)
        if told is None:
            raise ValueError(f"a {kind} event's detail does not say its fields: {said[:80]!r}")
        data |= told
    return data
