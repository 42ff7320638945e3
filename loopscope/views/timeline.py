"""A trace as a timeline: one lane per task, its requests' phases and stalls on a time axis.

    view = timeline_view(trace)                 # the axis ends where the run ended
    scale = shared_scale(slow, fast)            # one axis for two timelines side by side
    left, right = timeline_view(slow, scale_ms=scale), timeline_view(fast, scale_ms=scale)

The view is pure data for ``templates/_timeline.html`` (``{% from "_timeline.html" import
timeline %}`` then ``{{ timeline(view, "caption") }}``): positions are percentages of the axis,
so the bars are plain CSS and scale with the page. Meaning never rests on colour alone: every
segment kind has a pattern, a label and a legend entry, and every lane has a sentence
(``Lane.text``) that the template lists as the timeline's text alternative.

httpcore reports seven phases per request; the timeline folds them into the five a learner can
tell apart (connect, TLS, send, wait for the response, read). Stalls come from
``Trace.blocked`` (``visualizer.read.analysis``: who held the loop, where and why), idle time from
``IoWait`` events (the loop asleep in the OS selector); both are stamped when they end and carry
their length in ``ms``. Only typed fields are read, never an event's text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final, Literal

from visualizer import Phase, RequestRecord, Trace
from visualizer.contract.events import IoWait, TaskDone, TaskStarted

SegmentKind = Literal["pool", "connect", "tls", "send", "wait", "read", "other", "stall", "idle"]

LOOP_LANE: Final = "event loop"
NO_TASK: Final = "(no task)"
# Idle waits shorter than this are left out: at any scale they would be a hairline of noise.
MIN_IDLE_MS: Final = 1.0
# Every segment stays visible, however short; its text keeps the real times.
MIN_WIDTH_PCT: Final = 0.4
LABEL_MIN_PCT: Final = 7.0
DASH: Final = "\u2013"  # an en dash, for ranges

_PHASE_KINDS: Final[dict[str, SegmentKind]] = {
    "wait_for_connection": "pool",
    "connect_tcp": "connect",
    "start_tls": "tls",
    "send_request_headers": "send",
    "send_request_body": "send",
    "receive_response_headers": "wait",
    "receive_response_body": "read",
    "response_closed": "read",
}

LEGEND: Final[dict[SegmentKind, tuple[str, str]]] = {
    "pool": ("pool", "waiting for a free pooled connection: not on the wire yet"),
    "connect": ("connect", "TCP connection opened"),
    "tls": ("TLS", "TLS handshake"),
    "send": ("send", "request sent"),
    "wait": ("wait", "waiting for the server's response; the loop is free"),
    "read": ("read", "response body read and closed"),
    "other": ("other", "another HTTP phase"),
    "stall": ("blocked", "the task held the loop: nothing else could run"),
    "idle": ("idle", "the loop had nothing to do and slept in the OS selector"),
}


@dataclass(frozen=True, slots=True)
class Segment:
    kind: SegmentKind
    label: str
    start_ms: float
    end_ms: float
    left_pct: float
    width_pct: float
    ok: bool = True
    # What it belongs to: the request number, or the source line of a stall.
    request: int | None = None
    line: int | None = None

    @property
    def ms(self) -> float:
        return self.end_ms - self.start_ms

    @property
    def labelled(self) -> bool:
        """Wide enough for its label inside the bar (the text alternative always has it)."""
        return self.kind != "idle" and self.width_pct >= LABEL_MIN_PCT

    @property
    def text(self) -> str:
        failed = ", failed" if not self.ok else ""
        took = format_ms(self.ms)
        return f"{self.label} {span_text(self.start_ms, self.end_ms)} ({took} ms{failed})"


@dataclass(frozen=True, slots=True)
class RequestSpan:
    """One request across its lane, for its caption: ``GET /delay/0.2 -> 200 OK``."""

    number: int
    label: str
    start_ms: float
    end_ms: float
    left_pct: float
    width_pct: float

    @property
    def text(self) -> str:
        return f"request {self.number}, {self.label}, {span_text(self.start_ms, self.end_ms)}"


@dataclass(frozen=True, slots=True)
class Lane:
    name: str
    kind: Literal["task", "loop"]
    start_ms: float
    end_ms: float
    left_pct: float
    width_pct: float
    segments: tuple[Segment, ...]
    requests: tuple[RequestSpan, ...] = ()

    @property
    def title(self) -> str:
        return self.name if self.kind == "loop" else f"task {self.name}"

    @property
    def text(self) -> str:
        """The lane as one sentence: ``task get#2: connect 0.9-3.0 ms, TLS 3.0-9.1 ms, ...``."""
        if self.kind == "loop":
            if not self.segments:
                return f"{self.title}: never idle for {MIN_IDLE_MS:g} ms or more"
            idle = sum(segment.ms for segment in self.segments)
            parts = ", ".join(segment.text for segment in self.segments)
            return f"{self.title}: idle {format_ms(idle)} ms in all: {parts}"
        lived = f"lives {span_text(self.start_ms, self.end_ms)}"
        parts = ", ".join(segment.text for segment in self.segments)
        return f"{self.title}: {lived}" + (f"; {parts}" if parts else "")


@dataclass(frozen=True, slots=True)
class Tick:
    ms: float
    left_pct: float
    label: str


@dataclass(frozen=True, slots=True)
class LegendEntry:
    kind: SegmentKind
    label: str
    meaning: str


@dataclass(frozen=True, slots=True)
class TimelineView:
    scale_ms: float
    wall_ms: float
    lanes: tuple[Lane, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[LegendEntry, ...]
    requests: int
    blocked_ms: float
    never_sent: int = 0  # requests that never got a connection (a PoolTimeout, a cancel)
    building_ms: float = 0.0  # CPU the loop's thread spent building clients and transports
    # Set when only some task lanes are shown (``near``): how many tasks the run had.
    tasks_total: int | None = None

    @property
    def tasks(self) -> int:
        shown = sum(1 for lane in self.lanes if lane.kind == "task")
        return shown if self.tasks_total is None else self.tasks_total

    @property
    def hidden_tasks(self) -> int:
        return self.tasks - sum(1 for lane in self.lanes if lane.kind == "task")

    @property
    def summary(self) -> str:
        unsent = f" ({self.never_sent} never got a connection)" if self.never_sent else ""
        building = (
            f", {format_ms(self.building_ms)} ms of CPU building clients"
            if self.building_ms >= 1
            else ""
        )
        return (
            f"{_count(self.tasks, 'task')}, {_count(self.requests, 'request')}{unsent},"
            f" {format_ms(self.blocked_ms)} ms blocked{building},"
            f" {format_ms(self.wall_ms)} ms in all"
        )


def format_ms(ms: float) -> str:
    """Milliseconds for reading: one decimal below 10 ms, whole numbers above."""
    if ms == 0:
        return "0"
    if abs(ms) < 10:
        return f"{ms:.1f}"
    return f"{ms:,.0f}"


def span_text(start_ms: float, end_ms: float) -> str:
    """``"40-244 ms"`` (with an en dash); a short span keeps a decimal: ``"39.8-40.1 ms"``."""
    if end_ms - start_ms < 10:
        return f"{start_ms:,.1f}{DASH}{end_ms:,.1f} ms"
    return f"{format_ms(start_ms)}{DASH}{format_ms(end_ms)} ms"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def trace_end_ms(trace: Trace) -> float:
    """Where the run ended: ``wall_ms`` times the call; the last events may come a little later."""
    last = trace.events[-1].t_ms if trace.events else 0.0
    return max(trace.wall_ms, last)


def shared_scale(*traces: Trace) -> float:
    """One axis long enough for every trace, for timelines shown side by side."""
    return max((trace_end_ms(trace) for trace in traces), default=0.0)


def nice_step(span_ms: float, target_ticks: int = 6) -> float:
    """A round tick interval (1, 2 or 5 times a power of ten) giving about ``target_ticks``."""
    if span_ms <= 0:
        return 1.0
    raw = span_ms / target_ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return float(factor * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


class _Axis:
    def __init__(self, scale_ms: float) -> None:
        self.scale_ms = scale_ms if scale_ms > 0 else 1.0

    def left(self, ms: float) -> float:
        return round(min(max(ms / self.scale_ms * 100, 0.0), 100.0), 3)

    def width(self, start_ms: float, end_ms: float) -> float:
        left = self.left(start_ms)
        width = max(self.left(end_ms) - left, MIN_WIDTH_PCT)
        return round(min(width, 100.0 - left) if left < 100.0 else 0.0, 3)

    def ticks(self) -> tuple[Tick, ...]:
        step = nice_step(self.scale_ms)
        count = int(self.scale_ms // step)
        return tuple(
            Tick(ms=i * step, left_pct=self.left(i * step), label=f"{i * step:g} ms")
            for i in range(count + 1)
        )


def _folded_phases(request: RequestRecord, end_ms: float) -> list[tuple[SegmentKind, Phase]]:
    """Consecutive phases of the same kind become one (send headers + send body = send)."""
    folded: list[tuple[SegmentKind, Phase]] = []
    for phase in request.phases:
        kind = _PHASE_KINDS.get(phase.name, "other")
        closed = Phase(phase.name, phase.start_ms, phase.end_ms or end_ms, phase.ok)
        if folded and folded[-1][0] == kind and kind != "other":
            previous = folded[-1][1]
            merged = Phase(
                previous.name, previous.start_ms, closed.end_ms, previous.ok and closed.ok
            )
            folded[-1] = (kind, merged)
        else:
            folded.append((kind, closed))
    return folded


def _request_label(request: RequestRecord) -> str:
    status = request.status or "no response"
    return f"{request.method} {request.url} → {status}"


def _task_spans(trace: Trace, end_ms: float) -> dict[str, tuple[float, float]]:
    spans: dict[str, tuple[float, float]] = {}
    for event in trace.events:
        if event.task is None:
            continue
        start, end = spans.get(event.task, (event.t_ms, event.t_ms))
        if isinstance(event, TaskStarted):
            start = event.t_ms
        spans[event.task] = (min(start, event.t_ms), max(end, event.t_ms))
    finished = {e.task for e in trace.events if isinstance(e, TaskDone) and e.task is not None}
    return {
        task: (start, end if task in finished else max(end, end_ms))
        for task, (start, end) in spans.items()
    }


def _stalls(trace: Trace) -> Iterable[tuple[str | None, int | None, float, float]]:
    for stall in trace.blocked:
        yield stall.task, stall.line, stall.start_ms, stall.end_ms


def _task_lane(
    name: str,
    span: tuple[float, float],
    requests: list[RequestRecord],
    stalls: list[tuple[int | None, float, float]],
    axis: _Axis,
    end_ms: float,
) -> Lane:
    segments: list[Segment] = []
    spans: list[RequestSpan] = []
    for request in requests:
        for kind, phase in _folded_phases(request, end_ms):
            label = LEGEND[kind][0] if kind != "other" else phase.name.replace("_", " ")
            segments.append(
                Segment(
                    kind=kind,
                    label=label,
                    start_ms=phase.start_ms,
                    end_ms=phase.end_ms or end_ms,
                    left_pct=axis.left(phase.start_ms),
                    width_pct=axis.width(phase.start_ms, phase.end_ms or end_ms),
                    ok=phase.ok,
                    request=request.number,
                )
            )
        spans.append(
            RequestSpan(
                number=request.number,
                label=_request_label(request),
                start_ms=request.start_ms,
                end_ms=request.end_ms,
                left_pct=axis.left(request.start_ms),
                width_pct=axis.width(request.start_ms, request.end_ms),
            )
        )
    for line, start, end in stalls:
        where = f" at line {line}" if line is not None else ""
        segments.append(
            Segment(
                kind="stall",
                label=f"blocked{where}",
                start_ms=start,
                end_ms=end,
                left_pct=axis.left(start),
                width_pct=axis.width(start, end),
                line=line,
            )
        )
    segments.sort(key=lambda segment: (segment.start_ms, segment.end_ms))
    start, end = span
    return Lane(
        name=name,
        kind="task",
        start_ms=start,
        end_ms=end,
        left_pct=axis.left(start),
        width_pct=axis.width(start, end),
        segments=tuple(segments),
        requests=tuple(spans),
    )


def _loop_lane(trace: Trace, axis: _Axis, end_ms: float) -> Lane:
    segments = tuple(
        Segment(
            kind="idle",
            label="idle",
            start_ms=max(event.t_ms - event.ms, 0.0),
            end_ms=event.t_ms,
            left_pct=axis.left(max(event.t_ms - event.ms, 0.0)),
            width_pct=axis.width(max(event.t_ms - event.ms, 0.0), event.t_ms),
        )
        for event in trace.events
        if isinstance(event, IoWait) and event.ms >= MIN_IDLE_MS
    )
    return Lane(
        name=LOOP_LANE,
        kind="loop",
        start_ms=0.0,
        end_ms=end_ms,
        left_pct=0.0,
        width_pct=axis.width(0.0, end_ms),
        segments=segments,
    )


def timeline_view(trace: Trace, *, scale_ms: float | None = None) -> TimelineView:
    """Lanes for ``trace`` on an axis from 0 to ``scale_ms`` (default: where the run ended).

    Task lanes come in the order the tasks started; the event loop's lane comes last.
    """
    end_ms = trace_end_ms(trace)
    axis = _Axis(max(scale_ms if scale_ms is not None else end_ms, end_ms))
    task_spans = _task_spans(trace, end_ms)
    by_task: dict[str, list[RequestRecord]] = {}
    for request in trace.requests:
        by_task.setdefault(request.task or NO_TASK, []).append(request)
    stalls_by_task: dict[str, list[tuple[int | None, float, float]]] = {}
    for task, line, start, end in _stalls(trace):
        stalls_by_task.setdefault(task or NO_TASK, []).append((line, start, end))
    names = sorted(
        set(task_spans) | set(by_task) | set(stalls_by_task),
        key=lambda name: (task_spans.get(name, (end_ms, end_ms))[0], name),
    )
    lanes = [
        _task_lane(
            name,
            task_spans.get(name, (0.0, end_ms)),
            by_task.get(name, []),
            stalls_by_task.get(name, []),
            axis,
            end_ms,
        )
        for name in names
    ]
    lanes.append(_loop_lane(trace, axis, end_ms))
    kinds = {segment.kind for lane in lanes for segment in lane.segments}
    return TimelineView(
        scale_ms=axis.scale_ms,
        wall_ms=trace.wall_ms,
        lanes=tuple(lanes),
        ticks=axis.ticks(),
        legend=tuple(
            LegendEntry(kind, label, meaning)
            for kind, (label, meaning) in LEGEND.items()
            if kind in kinds
        ),
        requests=len(trace.requests),
        blocked_ms=trace.blocked_ms,
        never_sent=sum(1 for request in trace.requests if not request.on_wire),
        building_ms=trace.building_ms,
    )


def near(view: TimelineView, at_ms: float, *, lanes: int, segments: int) -> TimelineView:
    """``view`` with at most ``lanes`` task lanes and ``segments`` idle spans of the loop: the
    tasks alive at ``at_ms`` first, then those closest to it in time; the axis stays the whole
    run's, so a big run's page costs the same at every step.

    >>> small = near(view, 40.0, lanes=12, segments=60)   # a run of 3 tasks: all of them
    """

    def distance(lane: Lane) -> float:
        return max(lane.start_ms - at_ms, at_ms - lane.end_ms, 0.0)

    tasks = [lane for lane in view.lanes if lane.kind == "task"]
    if len(tasks) <= lanes and all(len(lane.segments) <= segments for lane in view.lanes):
        return view
    keep = {
        id(lane) for lane in sorted(tasks, key=lambda lane: (distance(lane), lane.start_ms))[:lanes]
    }
    kept: list[Lane] = []
    for lane in view.lanes:
        if lane.kind == "task" and id(lane) in keep:
            kept.append(lane)
        elif lane.kind == "loop":
            closest = sorted(
                lane.segments, key=lambda s: max(s.start_ms - at_ms, at_ms - s.end_ms, 0.0)
            )[:segments]
            kept.append(replace(lane, segments=tuple(sorted(closest, key=lambda s: s.start_ms))))
    return replace(view, lanes=tuple(kept), tasks_total=len(tasks))
