"""The rows of the execution table as typed facts, before they are put into words.

``visualizer.read.condense`` folds the events into these; ``visualizer.read.row_words`` words them.
A row is filled in while the fold walks on (a wait row learns its phases as they arrive), so rows
are mutable until the fold returns them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from visualizer.contract.events import (
    AwaitRole,
    BlockCause,
    HttpPhase,
    Outcome,
    RequestSent,
    ResponseArrived,
    StopReason,
    WaitingOn,
    WaitOn,
    Wake,
)


@dataclass(slots=True)
class Notes:
    """What happened around a statement or an await besides its own effect."""

    blocked_ms: float = 0.0
    causes: list[BlockCause] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # "GET https://…"
    phases: list[str] = field(default_factory=list)  # httpcore phase names, first start order
    statuses: list[str] = field(default_factory=list)  # "200 OK"
    # one per client built: its CPU ms, and the worker thread it was built on (None: the loop's)
    client_ms: list[tuple[float, str | None]] = field(default_factory=list)
    transport_ms: list[float] = field(default_factory=list)  # transports the line built
    held_later: list[tuple[int | None, float]] = field(default_factory=list)
    connects: int = 0  # TCP connect attempts (a transport with retries makes several)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (phase, error type)
    closed: bool = False  # the request's connection was closed with it (cancelled, failed)


@dataclass(slots=True, kw_only=True, eq=False)
class Row:
    line: int | None
    task: str | None
    t_ms: float | None = None
    changes: dict[str, str] = field(default_factory=dict)
    # changes the tracker first saw at this row but that this row's line did not make (a shared
    # object another task changed while this one waited)
    seen_changed: dict[str, str] = field(default_factory=dict)
    notes: Notes = field(default_factory=Notes)
    waiting_on: WaitingOn | None = None


@dataclass(slots=True, kw_only=True, eq=False)
class CallRow(Row):
    call: str
    function: str
    coroutine: str


@dataclass(slots=True, kw_only=True, eq=False)
class TasksRow(Row):
    """One or more tasks created by one statement (``gather`` over three coroutines)."""

    creator: str | None
    tasks: list[str]
    coroutine: str


@dataclass(slots=True, kw_only=True, eq=False)
class TaskRunsRow(Row):
    entered: str  # fetch_one(client=…, url=…)


@dataclass(slots=True, kw_only=True, eq=False)
class StatementRow(Row):
    source: str
    changed: list[tuple[str, str]]
    raised: str | None = None


@dataclass(slots=True, kw_only=True, eq=False)
class WithRow(Row):
    """Entering or leaving an ``async with`` block."""

    role: AwaitRole  # "aenter" or "aexit"
    text: str
    target: str | None
    value: str = ""
    assigned: list[tuple[str, str]] = field(default_factory=list)
    suspended: int = 0
    closes: bool = False
    raised: str | None = None
    waits: bool = False  # it waits for something besides its own I/O (tasks, a semaphore)


@dataclass(slots=True, kw_only=True, eq=False)
class WaitRow(Row):
    """An await that suspended: the wait itself (the arrival is a ``ResumeRow``)."""

    text: str
    frame: str
    on: WaitOn
    subject: str
    suspended: int = 0
    idle_ms: float = 0.0
    woken: list[Wake] = field(default_factory=list)
    told: bool = False  # the wait is over (or the run ended): its words are final
    unfinished: bool = False


@dataclass(slots=True, kw_only=True, eq=False)
class ResumeRow(Row):
    frame: str
    text: str
    status: str | None
    value: str
    assigned: list[tuple[str, str]]


@dataclass(slots=True, kw_only=True, eq=False)
class AwaitNowRow(Row):
    """An await that finished without suspending."""

    text: str
    value: str
    assigned: list[tuple[str, str]]


@dataclass(slots=True, kw_only=True, eq=False)
class DelegateRow(Row):
    """``await`` of a coroutine of the traced file: its own rows follow."""

    text: str
    entered: str


@dataclass(slots=True, kw_only=True, eq=False)
class GaveRow(Row):
    text: str
    value: str
    assigned: list[tuple[str, str]]


@dataclass(slots=True, kw_only=True, eq=False)
class NextRow(Row):
    text: str
    suspended: int
    value: str
    assigned: list[tuple[str, str]]


@dataclass(slots=True, kw_only=True, eq=False)
class FailRow(Row):
    frame: str
    text: str
    error: str
    resumed: bool
    delegating: bool


@dataclass(slots=True, kw_only=True, eq=False)
class CaughtRow(Row):
    source: str
    error: str


@dataclass(slots=True, kw_only=True, eq=False)
class UnwindRow(Row):
    frame: str
    source: str
    error: str
    caller: str | None


@dataclass(slots=True, kw_only=True, eq=False)
class ReturnRow(Row):
    frame: str
    expression: str | None  # None: the body ran to its end
    value: str
    readable_after_close: bool = False


@dataclass(slots=True, kw_only=True, eq=False)
class IdleRow(Row):
    idle_ms: float = 0.0
    woken: list[Wake] = field(default_factory=list)


@dataclass(slots=True, kw_only=True, eq=False)
class SendsRow(Row):
    """A task running library code only (``client.get`` under gather) sends its request."""

    request: str


@dataclass(slots=True, kw_only=True, eq=False)
class TaskEndRow(Row):
    outcome: Outcome
    value: str
    root: bool
    call: str
    status: str | None = None


@dataclass(slots=True, kw_only=True, eq=False)
class HeldRow(Row):
    ms: float
    cause: BlockCause


@dataclass(slots=True, kw_only=True, eq=False)
class PrintRow(Row):
    text: str


@dataclass(slots=True, kw_only=True, eq=False)
class WarnRow(Row):
    text: str


@dataclass(slots=True, kw_only=True, eq=False)
class StopRow(Row):
    reason: StopReason


@dataclass(slots=True, kw_only=True, eq=False)
class MoreRow(Row):
    count: int


AnyRow = (
    CallRow
    | TasksRow
    | TaskRunsRow
    | StatementRow
    | WithRow
    | WaitRow
    | ResumeRow
    | AwaitNowRow
    | DelegateRow
    | GaveRow
    | NextRow
    | FailRow
    | CaughtRow
    | UnwindRow
    | ReturnRow
    | IdleRow
    | SendsRow
    | TaskEndRow
    | HeldRow
    | PrintRow
    | WarnRow
    | StopRow
    | MoreRow
)


def note_phase(notes: Notes, event: RequestSent | HttpPhase | ResponseArrived) -> None:
    """Note what a request event says about the request a row tells."""
    if isinstance(event, RequestSent):
        notes.requests.append(f"{event.method} {event.url}")
    elif isinstance(event, ResponseArrived):
        notes.statuses.append(f"{event.status_code} {event.reason}".strip())
    else:
        if event.phase == "connect_tcp" and (event.state == "started" or event.ms is not None):
            notes.connects += 1
        if event.phase == "close" and event.scope == "connection":
            notes.closed = True
            return
        if event.state == "failed" and event.error:
            notes.failed.append((event.phase, event.error))
        if (event.state == "started" or event.ms is not None) and event.phase not in notes.phases:
            notes.phases.append(event.phase)


def refine(row: AnyRow) -> WaitingOn | None:
    """What a waiting row waits for, from its suspension and its request's phases: a request
    that had to wait for a pooled connection first waits on the pool."""
    notes = row.notes
    on = row.waiting_on
    if notes.requests and on in (None, "network"):
        on = "network"
        if notes.phases and notes.phases[0] == "wait_for_connection":
            on = "pool"
    return on


def is_waiting(row: AnyRow) -> bool:
    """Whether the row's task is suspended for that row (it waits, it does not run)."""
    if isinstance(row, WaitRow):
        return True
    if isinstance(row, WithRow):
        return row.waits
    return isinstance(row, SendsRow)
