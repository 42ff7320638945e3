"""What a run did, read from its typed events: requests and their phases, stalls, counts.

These are the functions the condenser, the app's views, the lessons checker and the challenge
checks all read (never an event's text):

    requests = find_requests(trace.events)
    overlapping(requests), max_in_flight(requests)     # concurrency
    tcp_connects(trace.events), clients_created(trace.events), find_clients(trace.events)
    find_stalls(trace.events)                          # who held the loop, where, why
    exceptions(trace.events), find_exceptions(...)     # raised / caught, by type / one by one
    loop_waiting_ms(trace.events)                      # time the loop slept on I/O
    task_states(trace.events, until_ms=...)            # each task's state at a moment
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from visualizer.contract.event_words import WAITING_ON
from visualizer.contract.events import (
    AnyEvent,
    BlockCause,
    Blocked,
    Caught,
    ClientClosed,
    ClientCreated,
    FrameEntered,
    HttpPhase,
    IoWait,
    Raised,
    RequestSent,
    ResponseArrived,
    Resumed,
    Suspended,
    TaskDone,
    TaskStarted,
    Unwound,
)

DEFAULT_TIMEOUT_S = 5.0  # httpx's default, for each phase
POOL_WAIT = "wait_for_connection"  # the wait for a free pooled connection (``httpx.Limits``)
_NOT_ON_WIRE = frozenset({POOL_WAIT, "close"})
_SENDING = ("send_request", "receive_response")
RequestOutcome = Literal["response", "error", "cancelled"]


@dataclass(frozen=True, slots=True)
class Phase:
    """One httpcore phase of a request: ``connect_tcp``, ``start_tls``, ``send_request_headers``."""

    name: str
    start_ms: float
    end_ms: float | None
    ok: bool
    error: str | None = None  # the exception's type, for a phase that failed


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request: who made it, where, what came back and the phases it went through."""

    number: int
    task: str | None
    line: int | None
    method: str
    url: str
    status: str | None
    start_ms: float
    end_ms: float
    phases: tuple[Phase, ...] = field(default=())
    status_code: int | None = None
    client: int | None = None  # which client sent it (see ``find_clients``)
    thread: str | None = None  # the worker thread that sent it; None: the event loop's
    outcome: RequestOutcome | None = None  # None: still under way when the run ended
    error: str | None = None  # the exception's type when it did not end with a response
    closed: bool = False  # its connection was closed with it (cancelled or failed on the wire)

    @property
    def went_out(self) -> bool:
        """Whether it reached the network (connecting, or sending on a pooled connection):
        False for one that only waited in the pool (a ``PoolTimeout``, a cancel there) or was
        answered in-process (an ``ASGITransport``: no HTTP phases at all)."""
        return any(phase.name not in _NOT_ON_WIRE for phase in self.phases)

    @property
    def on_wire(self) -> bool:
        """Whether it got a connection: it connected, or sent on a pooled one. False as well
        for one whose every connect attempt failed (``ConnectError``)."""
        return any(
            (phase.name == "connect_tcp" and phase.ok) or phase.name.startswith(_SENDING)
            for phase in self.phases
        )

    @property
    def pool_wait_ms(self) -> float:
        """How long it waited for a free pooled connection."""
        return round(
            sum(
                (phase.end_ms if phase.end_ms is not None else self.end_ms) - phase.start_ms
                for phase in self.phases
                if phase.name == POOL_WAIT
            ),
            3,
        )

    @property
    def connects(self) -> tuple[Phase, ...]:
        """Each TCP connect attempt (a transport with ``retries`` makes several)."""
        return tuple(phase for phase in self.phases if phase.name == "connect_tcp")

    @property
    def ended_in(self) -> str | None:
        """The phase it was in when it failed or was cancelled (None: it got its response)."""
        failed = [phase for phase in self.phases if not phase.ok and phase.name != "close"]
        return failed[-1].name if failed and self.outcome != "response" else None

    @property
    def host(self) -> str:
        """``api.example.com`` for ``https://api.example.com/data``."""
        rest = self.url.partition("://")[2] or self.url
        return rest.split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]

    @property
    def phase_names(self) -> tuple[str, ...]:
        return tuple(phase.name for phase in self.phases)


@dataclass(frozen=True, slots=True)
class Stall:
    """A task held the loop for ``ms`` at ``line`` without yielding, because of ``cause``."""

    task: str | None
    line: int | None
    ms: float
    cause: BlockCause = "cpu"
    end_ms: float = 0.0

    @property
    def start_ms(self) -> float:
        return max(self.end_ms - self.ms, 0.0)


@dataclass(frozen=True, slots=True)
class ExceptionCount:
    """How many exceptions of ``type`` were raised in the traced code, and how many caught."""

    type: str
    raised: int
    caught: int


@dataclass(slots=True)
class _Draft:
    number: int
    task: str | None
    line: int | None
    method: str
    url: str
    start_ms: float
    end_ms: float
    status: str | None = None
    status_code: int | None = None
    phases: list[Phase] = field(default_factory=list)
    client: int | None = None
    thread: str | None = None
    closed: bool = False
    error: str | None = None  # the last failed phase's exception


def find_requests(events: Iterable[AnyEvent]) -> tuple[RequestRecord, ...]:
    """Every request the code asked for, with its phases and how it ended.

    A request ends with a ``response``, an ``error`` (a phase failed: ``ConnectError``,
    ``PoolTimeout``, ``ReadTimeout``) or ``cancelled`` (a phase failed with ``CancelledError``,
    or the task that ran it was cancelled before it had a response).
    """
    drafts: dict[int, _Draft] = {}
    open_phases: dict[tuple[int, str], float] = {}
    task_ends: dict[str, TaskDone] = {}
    task_lines: dict[str, int | None] = {}  # where each task was started
    for event in events:
        if isinstance(event, TaskDone) and event.task:
            task_ends[event.task] = event
            continue
        if isinstance(event, TaskStarted) and event.task:
            task_lines[event.task] = event.line
            continue
        if isinstance(event, RequestSent):
            drafts[event.request] = _Draft(
                event.request,
                event.task,
                # a task of gather(client.get(…)): the line that started it
                event.line if event.line is not None else task_lines.get(event.task or ""),
                event.method,
                event.url,
                event.t_ms,
                event.t_ms,
                client=event.client,
                thread=event.thread,
            )
            continue
        if not isinstance(event, HttpPhase | ResponseArrived):
            continue
        draft = drafts.get(event.request)
        if draft is None:
            continue
        if isinstance(event, HttpPhase) and event.scope == "connection" and event.phase == "close":
            draft.closed = True
            continue
        draft.end_ms = event.t_ms
        if isinstance(event, ResponseArrived):
            draft.status = f"{event.status_code} {event.reason}".strip()
            draft.status_code = event.status_code
        elif event.state == "started":
            open_phases[(event.request, event.phase)] = event.t_ms
        else:
            began = event.t_ms - event.ms if event.ms is not None else event.t_ms
            start = open_phases.pop((event.request, event.phase), began)
            ok = event.state == "complete"
            draft.phases.append(Phase(event.phase, start, event.t_ms, ok, event.error))
            if not ok and event.error:
                draft.error = event.error
    for (number, name), start in open_phases.items():
        drafts[number].phases.append(Phase(name, start, None, False))
    records: list[RequestRecord] = []
    for d in drafts.values():
        outcome, error = _outcome(d, task_ends.get(d.task or ""))
        records.append(
            RequestRecord(
                number=d.number,
                task=d.task,
                line=d.line,
                method=d.method,
                url=d.url,
                status=d.status,
                start_ms=d.start_ms,
                end_ms=d.end_ms,
                phases=tuple(sorted(d.phases, key=lambda phase: phase.start_ms)),
                status_code=d.status_code,
                client=d.client,
                thread=d.thread,
                outcome=outcome,
                error=error,
                closed=d.closed,
            )
        )
    return tuple(records)


def _outcome(draft: _Draft, ended: TaskDone | None) -> tuple[RequestOutcome | None, str | None]:
    if draft.error == "CancelledError":
        return "cancelled", None
    if draft.error is not None:
        return "error", draft.error
    if draft.status_code is not None:
        return "response", None
    if ended is not None and ended.t_ms >= draft.start_ms:
        if ended.outcome == "cancelled":
            return "cancelled", None
        if ended.outcome == "raised":
            return "error", ended.value.partition("(")[0] or None
    return None, None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectAttempt:
    """One TCP connect attempt of a request: when it began, whether it connected."""

    t_ms: float
    ok: bool
    error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestEntry:
    """One request as the trace JSON's ``requests`` lists it (see the README)."""

    id: int
    task: str | None
    client: int | None
    method: str
    url: str
    thread: str | None
    on_wire: bool
    pool_wait_ms: float
    outcome: RequestOutcome | None
    status: int | None
    error: str | None
    t_start_ms: float
    t_end_ms: float
    line: int | None = None
    ended_in: str | None = None  # the phase it was in when it failed or was cancelled
    closed: bool = False  # its connection was closed with it
    connects: tuple[ConnectAttempt, ...] = ()


def request_entries(events: Iterable[AnyEvent]) -> tuple[RequestEntry, ...]:
    """The JSON's ``requests``: one entry per request the code asked for."""
    return tuple(
        RequestEntry(
            id=r.number,
            task=None if r.thread is not None else r.task,
            client=r.client,
            method=r.method,
            url=r.url,
            thread=r.thread,
            on_wire=r.on_wire,
            pool_wait_ms=r.pool_wait_ms,
            outcome=r.outcome,
            status=r.status_code,
            error=r.error,
            t_start_ms=round(r.start_ms, 3),
            t_end_ms=round(r.end_ms, 3),
            line=r.line,
            ended_in=r.ended_in,
            closed=r.closed,
            connects=tuple(
                ConnectAttempt(t_ms=round(p.start_ms, 3), ok=p.ok, error=p.error)
                for p in r.connects
            )
            if len(r.connects) > 1
            else (),
        )
        for r in find_requests(events)
    )


def overlapping(requests: Iterable[RequestRecord]) -> bool:
    spans = sorted((r.start_ms, r.end_ms) for r in requests)
    return any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans))


def on_the_wire(request: RequestRecord) -> tuple[float, float]:
    """When a request was really in flight: from its first HTTP phase to its last.

    A request waiting for a free pooled connection (``httpx.Limits``) has started but is not on
    the wire yet; without phases (a mocked transport) the whole request counts.
    """
    phases = [phase for phase in request.phases if phase.name not in _NOT_ON_WIRE]
    if not phases:
        if request.phases:  # it only waited in the pool: never on the wire
            return request.end_ms, request.end_ms
        return request.start_ms, request.end_ms
    start = min(phase.start_ms for phase in phases)
    end = max(phase.end_ms if phase.end_ms is not None else request.end_ms for phase in phases)
    return start, end


def max_in_flight(requests: Iterable[RequestRecord]) -> int:
    """The most requests on the wire at one moment (one ending as another starts: not both).

    >>> r = [RequestRecord(n, None, None, "GET", "u", None, s, e) for n, s, e in
    ...      [(1, 0, 10), (2, 5, 15), (3, 10, 20)]]
    >>> max_in_flight(r)
    2
    """
    spans = [on_the_wire(r) for r in requests]
    edges = sorted(
        [(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans],
        key=lambda edge: (edge[0], edge[1]),  # ends before starts at the same moment
    )
    most = now = 0
    for _, change in edges:
        now += change
        most = max(most, now)
    return most


def connect_times(events: Iterable[AnyEvent]) -> tuple[float, ...]:
    """When each TCP connection was opened (a pooled connection that is reused opens none)."""
    return tuple(
        e.t_ms
        for e in events
        if isinstance(e, HttpPhase) and e.phase == "connect_tcp" and e.state == "complete"
    )


def tcp_connects(events: Iterable[AnyEvent]) -> int:
    """TCP connections opened (a pooled connection that is reused opens none)."""
    return len(connect_times(events))


def clients_created(events: Iterable[AnyEvent]) -> int:
    return sum(1 for e in events if isinstance(e, ClientCreated))


def find_stalls(events: Iterable[AnyEvent]) -> tuple[Stall, ...]:
    return tuple(
        Stall(e.task, e.line, e.ms, e.cause, e.t_ms) for e in events if isinstance(e, Blocked)
    )


def exceptions(events: Iterable[AnyEvent]) -> tuple[ExceptionCount, ...]:
    """Exceptions that met the traced code, by type: raised at an await or a statement, caught.

    An exception is counted as raised once where it first appears (an await that fails, or a
    statement it leaves); as it propagates through further frames it is not counted again.
    """
    raised: dict[str, int] = {}
    caught: dict[str, int] = {}
    unwinding: set[tuple[str | None, str]] = set()
    for event in events:
        if isinstance(event, Raised):
            raised[event.error.type] = raised.get(event.error.type, 0) + 1
            unwinding.add((event.task, event.error.text))
        elif isinstance(event, Unwound):
            if (event.task, event.error.text) not in unwinding:
                raised[event.error.type] = raised.get(event.error.type, 0) + 1
                unwinding.add((event.task, event.error.text))
        elif isinstance(event, Caught) and event.error is not None:
            caught[event.error.type] = caught.get(event.error.type, 0) + 1
            unwinding.discard((event.task, event.error.text))
    return tuple(
        ExceptionCount(name, raised.get(name, 0), caught.get(name, 0))
        for name in dict.fromkeys([*raised, *caught])
    )


TaskStateName = Literal["ready", "running", "waiting", "done"]


@dataclass(frozen=True, slots=True)
class TaskState:
    """A task at a moment: ready, running, waiting (at ``line``, on ``waiting_on``) or done.

    ``on`` is the word of the ``WaitingOn`` vocabulary (``pool``, ``network``, ``semaphore``…)
    when it is known; ``waiting_on`` says it in words, down to the HTTP phase.
    """

    task: str
    state: TaskStateName
    line: int | None = None
    waiting_on: str = ""  # "task get(…)", "gather of 3", "its request (connect_tcp)", "a Future"
    outcome: str = ""
    on: str | None = None


def task_states(events: Iterable[AnyEvent], *, until_ms: float) -> tuple[TaskState, ...]:
    """Each learner task's state just before ``until_ms``, in the order the tasks started.

    A task suspended at an await is waiting (and says on what, down to the HTTP phase its
    request is in) until it resumes; a resumed task is ready until its next event shows it ran.
    A task that runs library code only (``gather(client.get(…))``) is waiting on the network
    (or the pool) from its request's first phase: it is never seen running Python of its own.
    """
    states: dict[str, TaskState] = {}
    phases: dict[str, str] = {}  # the HTTP phase each task's request is in, if any
    ran: set[str] = set()  # tasks seen running code of the traced file
    for event in events:
        if event.t_ms >= until_ms:
            break
        task = event.task
        if not task or task.startswith("internal:"):
            continue
        if isinstance(event, FrameEntered):
            ran.add(task)
        if isinstance(event, HttpPhase):
            if event.state == "started":
                phases[task] = event.phase
            elif phases.get(task) == event.phase:
                del phases[task]
        if isinstance(event, TaskStarted):
            states[task] = TaskState(task, "ready")
        elif task not in states:
            continue
        elif isinstance(event, Suspended):
            on: str | None = event.waiting_on
            before = states[task]
            if on is None and before.on is not None and before.line == event.line:
                on = before.on  # a later suspension of the same wait: told at its first
            words = WAITING_ON[on] if on is not None else _waiting_on(event)
            if task in phases and event.on in ("future", "yield"):
                on = "pool" if phases[task] == POOL_WAIT else "network"
                words = _request_words(phases[task])
            states[task] = TaskState(task, "waiting", event.line, words, on=on)
        elif isinstance(event, HttpPhase) and event.state == "started" and task not in ran:
            before = states[task]
            if before.state != "done":
                on = "pool" if event.phase == POOL_WAIT else "network"
                words = _request_words(event.phase)
                states[task] = TaskState(task, "waiting", before.line, words, on=on)
        elif isinstance(event, Resumed):
            # ready; what it waited on is kept for its next suspension of the same await
            states[task] = TaskState(task, "ready", event.line, on=states[task].on)
        elif isinstance(event, TaskDone):
            states[task] = TaskState(task, "done", outcome=event.outcome)
        elif isinstance(event, HttpPhase | ResponseArrived | RequestSent):
            continue  # a library task between phases: still waiting on its request
        elif states[task].state == "ready":
            states[task] = TaskState(task, "running", event.line)
    return tuple(states.values())


def _request_words(phase: str) -> str:
    if phase == POOL_WAIT:
        return WAITING_ON["pool"]
    return f"its request ({phase.replace('_', ' ')})"


def _waiting_on(event: Suspended) -> str:
    if event.on == "task":
        return f"task {event.subject}"
    if event.on == "gather":
        return f"gather of {event.subject} tasks"
    if event.on == "future":
        return "a Future"
    if event.on == "yield":
        return "one turn of the loop"
    return event.subject


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """One ``httpx`` client: where it was made, its timeout per phase, whether it was closed."""

    number: int
    line: int | None  # the traced file's line that made it (None: made by library code)
    created_ms: float
    closed_ms: float | None
    timeout: tuple[tuple[str, float | None], ...]  # ("connect", 0.5), ("read", 1.0), ...
    default_timeout: bool

    @property
    def closed(self) -> bool:
        return self.closed_ms is not None

    def phase_timeout(self, phase: str) -> float | None:
        return dict(self.timeout).get(phase)


def find_clients(events: Iterable[AnyEvent]) -> tuple[ClientRecord, ...]:
    """Every ``httpx.AsyncClient`` / ``httpx.Client`` made during the run, in order."""
    made: dict[int, ClientRecord] = {}
    for event in events:
        if isinstance(event, ClientCreated):
            timeout = (
                ("connect", event.connect),
                ("read", event.read),
                ("write", event.write),
                ("pool", event.pool),
            )
            made[event.client] = ClientRecord(
                number=event.client,
                line=event.line,
                created_ms=event.t_ms,
                closed_ms=None,
                timeout=timeout,
                default_timeout=all(value == DEFAULT_TIMEOUT_S for _, value in timeout),
            )
        elif isinstance(event, ClientClosed) and event.client in made:
            found = made[event.client]
            made[event.client] = ClientRecord(
                found.number,
                found.line,
                found.created_ms,
                event.t_ms,
                found.timeout,
                found.default_timeout,
            )
    return tuple(made.values())


@dataclass(frozen=True, slots=True)
class ExceptionRecord:
    """An exception seen in the traced file: ``raised`` out of a frame, or ``caught`` there."""

    type: str
    how: Literal["raised", "caught"]
    task: str | None
    line: int | None
    t_ms: float


def find_exceptions(events: Iterable[AnyEvent]) -> tuple[ExceptionRecord, ...]:
    """Exceptions one by one: raised at an await or out of a frame, and caught by a handler."""
    found: list[ExceptionRecord] = []
    for event in events:
        if isinstance(event, Raised | Unwound):
            found.append(
                ExceptionRecord(event.error.type, "raised", event.task, event.line, event.t_ms)
            )
        elif isinstance(event, Caught) and event.error is not None:
            found.append(
                ExceptionRecord(event.error.type, "caught", event.task, event.line, event.t_ms)
            )
    return tuple(found)


def loop_waiting_ms(events: Iterable[AnyEvent]) -> float:
    """How long the event loop slept in the OS selector: the run's time spent waiting on I/O.

    Unlike the wall time it leaves out the CPU the run used (tracing, TLS, a busy machine), so
    it tells waits that overlapped (about the slowest) from waits in a row (their sum).
    """
    return round(sum(event.ms for event in events if isinstance(event, IoWait)), 3)
