"""Derived views over raw events: the requests with their phases, and the stalls."""

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
