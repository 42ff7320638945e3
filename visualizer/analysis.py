"""Derived views over raw events: requests with their phases, clients, exceptions and stalls.

These functions are what challenge checks read of a run (with ``Trace``'s fields): a fact is
derived here once, from the events, never from an event's wording elsewhere.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol


class EventLike(Protocol):
    """What the analyses read of an event: the public ``Event`` and the worker's record both fit."""

    @property
    def t_ms(self) -> float: ...
    @property
    def kind(self) -> str: ...
    @property
    def task(self) -> str | None: ...
    @property
    def line(self) -> int | None: ...
    @property
    def detail(self) -> str: ...
    @property
    def frame(self) -> str | None: ...
    @property
    def request(self) -> int | None: ...
    @property
    def ms(self) -> float | None: ...
    @property
    def values(self) -> dict[str, str] | None: ...


@dataclass(frozen=True, slots=True)
class Phase:
    """One httpcore phase of a request: ``connect_tcp``, ``start_tls``, ``send_request_headers``."""

    name: str
    start_ms: float
    end_ms: float | None
    ok: bool


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
    client: int | None = None  # which client sent it (see ``find_clients``)

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
    """A task held the loop for ``ms`` at ``line`` without yielding."""

    task: str | None
    line: int | None
    ms: float


def phase_name(detail: str) -> tuple[str, str]:
    """``"http11.send_request_headers.started"`` -> ``("send_request_headers", "started")``."""
    parts = detail.split(".")
    if len(parts) >= 3:
        return parts[-2], parts[-1]
    return detail, ""


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
    phases: list[Phase] = field(default_factory=list)
    client: int | None = None


def find_requests(events: Iterable[EventLike]) -> tuple[RequestRecord, ...]:
    drafts: dict[int, _Draft] = {}
    open_phases: dict[tuple[int, str], float] = {}
    for event in events:
        if event.kind != "http" or event.request is None:
            continue
        values = event.values or {}
        if event.detail == "request.started":
            drafts[event.request] = _Draft(
                event.request,
                event.task,
                event.line,
                values.get("method", "?"),
                values.get("url", "?"),
                event.t_ms,
                event.t_ms,
                client=_int(values.get("client")),
            )
            continue
        draft = drafts.get(event.request)
        if draft is None:
            continue
        draft.end_ms = event.t_ms
        if event.detail == "response.headers":
            draft.status = values.get("status")
            continue
        name, state = phase_name(event.detail)
        if state == "started":
            open_phases[(event.request, name)] = event.t_ms
        elif state in ("complete", "failed"):
            start = open_phases.pop((event.request, name), event.t_ms)
            draft.phases.append(Phase(name, start, event.t_ms, state == "complete"))
    for (number, name), start in open_phases.items():
        drafts[number].phases.append(Phase(name, start, None, False))
    return tuple(
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
            client=d.client,
        )
        for d in drafts.values()
    )


def overlapping(requests: Iterable[RequestRecord]) -> bool:
    spans = sorted((r.start_ms, r.end_ms) for r in requests)
    return any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans))


def find_stalls(events: Iterable[EventLike]) -> tuple[Stall, ...]:
    return tuple(
        Stall(event.task, event.line, event.ms or 0.0)
        for event in events
        if event.kind == "blocked"
    )


def on_the_wire(request: RequestRecord) -> tuple[float, float]:
    """When a request was really in flight: from its first HTTP phase to its last.

    A request waiting for a free pooled connection (``httpx.Limits``) has started but is not on
    the wire yet; without phases (a mocked transport) the whole request counts.
    """
    if not request.phases:
        return request.start_ms, request.end_ms
    start = min(phase.start_ms for phase in request.phases)
    end = max(
        phase.end_ms if phase.end_ms is not None else request.end_ms for phase in request.phases
    )
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


def tcp_connects(events: Iterable[EventLike]) -> int:
    """How many TCP connections were opened (a reused pooled connection opens none)."""
    return sum(
        1
        for event in events
        if event.kind == "http" and event.detail == "connection.connect_tcp.complete"
    )


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


def find_clients(events: Iterable[EventLike]) -> tuple[ClientRecord, ...]:
    """Every ``httpx.AsyncClient`` / ``httpx.Client`` made during the run, in order."""
    made: dict[int, ClientRecord] = {}
    for event in events:
        if event.kind != "client" or not event.values:
            continue
        number = _int(event.values.get("client"))
        if number is None:
            continue
        if event.detail == "created":
            made[number] = ClientRecord(
                number=number,
                line=event.line,
                created_ms=event.t_ms,
                closed_ms=None,
                timeout=tuple(
                    (phase, _float(event.values.get(phase)))
                    for phase in ("connect", "read", "write", "pool")
                ),
                default_timeout=event.values.get("default_timeout") == "true",
            )
        elif event.detail == "closed" and number in made:
            found = made[number]
            made[number] = ClientRecord(
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
    how: str  # "raised" or "caught"
    task: str | None
    line: int | None
    t_ms: float


def find_exceptions(events: Iterable[EventLike]) -> tuple[ExceptionRecord, ...]:
    """Exceptions by type: raised at an await or out of a frame, and caught by a handler."""
    kinds = {"exception": "raised", "unwind": "raised", "caught": "caught"}
    return tuple(
        ExceptionRecord(
            exception_type(event.detail), kinds[event.kind], event.task, event.line, event.t_ms
        )
        for event in events
        if event.kind in kinds and event.detail
    )


def exception_type(text: str) -> str:
    """``"ReadTimeout('timed out')"`` -> ``"ReadTimeout"`` (the display form of an exception)."""
    return text.split("(", 1)[0].split(":", 1)[0].strip()


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None and text != "None" else None
    except ValueError:
        return None


def loop_waiting_ms(events: Iterable[EventLike]) -> float:
    """How long the event loop slept in the OS selector: the run's time spent waiting on I/O.

    Unlike the wall time it leaves out the CPU the run used (tracing, TLS, a busy machine), so
    it tells waits that overlapped (about the slowest) from waits in a row (their sum).
    """
    return round(sum(event.ms or 0.0 for event in events if event.kind == "io_wait"), 3)
