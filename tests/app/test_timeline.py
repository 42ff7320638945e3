"""The timeline view: lanes, segments, stalls, a shared axis and the text alternative."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from trace_fakes import canonical_trace

from loopscope.views.timeline import (
    DASH,
    LOOP_LANE,
    Lane,
    nice_step,
    shared_scale,
    span_text,
    timeline_view,
)
from visualizer import AnyEvent, Trace
from visualizer.contract.events import (
    Blocked,
    HttpPhase,
    IoWait,
    RequestSent,
    ResponseArrived,
    TaskDone,
    TaskStarted,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _phase(task: str, request: int, name: str, start: float, end: float) -> list[AnyEvent]:
    scope = "connection" if name in ("connect_tcp", "start_tls") else "http11"
    return [
        HttpPhase(t_ms=start, task=task, request=request, scope=scope, phase=name, state="started"),
        HttpPhase(t_ms=end, task=task, request=request, scope=scope, phase=name, state="complete"),
    ]


def hand_trace(*, blocked_ms: float = 0.0, wall_ms: float = 400.0) -> Trace:
    """main starts two gets; get#2 first blocks the loop (if asked), then both fetch."""
    shift = blocked_ms
    events: list[AnyEvent] = [
        TaskStarted(t_ms=0.5, task="main", coroutine="<coroutine main>", root=True),
        TaskStarted(t_ms=10.0, task="get#1", coroutine="<coroutine get>"),
        TaskStarted(t_ms=11.0, task="get#2", coroutine="<coroutine get>"),
    ]
    if blocked_ms:
        events.append(
            Blocked(
                t_ms=12.0 + blocked_ms,
                task="get#2",
                line=8,
                ms=blocked_ms,
                cpu_ms=0.0,
                cause="sleep",
            )
        )
    for task, number, start in (("get#1", 1, 12.0 + shift), ("get#2", 2, 13.0 + shift)):
        events.append(
            RequestSent(
                t_ms=start, task=task, request=number, method="GET", url=f"https://x/{number}"
            )
        )
        events += _phase(task, number, "connect_tcp", start + 1, start + 3)
        events += _phase(task, number, "start_tls", start + 3, start + 9)
        events += _phase(task, number, "send_request_headers", start + 9, start + 9.5)
        events += _phase(task, number, "send_request_body", start + 9.5, start + 10)
        events += _phase(task, number, "receive_response_headers", start + 10, start + 210)
        events.append(
            ResponseArrived(
                t_ms=start + 210, task=task, request=number, status_code=200, reason="OK"
            )
        )
        events += _phase(task, number, "receive_response_body", start + 210, start + 211)
        events += _phase(task, number, "response_closed", start + 211, start + 212)
        events.append(TaskDone(t_ms=start + 213, task=task, outcome="returned", value="200"))
    events.append(IoWait(t_ms=20.0 + shift, ms=5.0))
    events.append(IoWait(t_ms=221.0 + shift, ms=190.0))
    events.append(IoWait(t_ms=0.4, ms=0.2))  # too short to show
    events.append(TaskDone(t_ms=230.0 + shift, task="main", outcome="returned", value="[200, 200]"))
    events.sort(key=lambda event: event.t_ms)
    return Trace(
        file="demo.py", call="main()", steps=(), events=tuple(events), result="[200, 200]",
        error=None, wall_ms=wall_ms + shift,
    )  # fmt: skip


def _d(text: str) -> str:
    """Ranges are written with an en dash."""
    return text.replace("-", DASH)


def _lane(lanes: tuple[Lane, ...], name: str) -> Lane:
    return next(lane for lane in lanes if lane.name == name)


def test_lanes_come_in_start_order_with_the_loop_last() -> None:
    view = timeline_view(hand_trace())
    assert [lane.name for lane in view.lanes] == ["main", "get#1", "get#2", LOOP_LANE]
    assert [lane.kind for lane in view.lanes] == ["task", "task", "task", "loop"]


def test_phases_fold_into_five_kinds_in_order() -> None:
    lane = _lane(timeline_view(hand_trace()).lanes, "get#1")
    assert [segment.kind for segment in lane.segments] == ["connect", "tls", "send", "wait", "read"]
    send = lane.segments[2]
    assert (send.start_ms, send.end_ms) == (21.0, 22.0)  # headers and body, one segment
    assert lane.requests[0].label == "GET https://x/1 → 200 OK"
    starts = [segment.start_ms for segment in lane.segments]
    assert starts == sorted(starts)


def test_positions_are_percentages_of_the_axis() -> None:
    view = timeline_view(hand_trace(), scale_ms=1000.0)
    assert view.scale_ms == 1000.0
    wait = _lane(view.lanes, "get#1").segments[3]
    assert wait.left_pct == pytest.approx(2.2)
    assert wait.width_pct == pytest.approx(20.0)
    assert [tick.label for tick in view.ticks][:3] == ["0 ms", "200 ms", "400 ms"]


def test_a_shorter_scale_than_the_run_is_widened_to_fit_it() -> None:
    assert timeline_view(hand_trace(), scale_ms=10.0).scale_ms == 400.0


def test_two_timelines_share_one_axis() -> None:
    slow, fast = hand_trace(blocked_ms=300.0), hand_trace()
    scale = shared_scale(slow, fast)
    assert scale == 700.0
    left, right = timeline_view(slow, scale_ms=scale), timeline_view(fast, scale_ms=scale)
    assert left.scale_ms == right.scale_ms == scale
    assert left.ticks == right.ticks
    # The same phase, at the same time in both runs, sits at the same place.
    assert _lane(left.lanes, "get#1").left_pct == _lane(right.lanes, "get#1").left_pct


def test_a_stall_is_a_marked_segment_of_its_task_with_its_line() -> None:
    view = timeline_view(hand_trace(blocked_ms=300.0))
    stalls = [s for lane in view.lanes for s in lane.segments if s.kind == "stall"]
    assert len(stalls) == 1
    stall = stalls[0]
    assert (stall.start_ms, stall.end_ms, stall.line) == (12.0, 312.0, 8)
    assert stall.label == "blocked at line 8"
    assert stall in _lane(view.lanes, "get#2").segments
    assert "blocked" in [entry.label for entry in view.legend]
    assert view.blocked_ms == 300.0


def test_the_loop_lane_shows_idle_waits_and_skips_tiny_ones() -> None:
    loop = _lane(timeline_view(hand_trace()).lanes, LOOP_LANE)
    assert [(s.kind, s.start_ms, s.end_ms) for s in loop.segments] == [
        ("idle", 15.0, 20.0),
        ("idle", 31.0, 221.0),
    ]
    assert loop.text.startswith("event loop: idle 195 ms in all")


def test_every_lane_has_a_sentence_for_the_text_alternative() -> None:
    view = timeline_view(hand_trace())
    get1 = _lane(view.lanes, "get#1")
    assert get1.text.startswith(_d("task get#1: lives 10-225 ms; connect 13.0-15.0 ms (2.0 ms)"))
    assert _d("wait 22-222 ms (200 ms)") in get1.text
    assert get1.requests[0].text == _d("request 1, GET https://x/1 → 200 OK, 12-224 ms")
    assert view.summary == "3 tasks, 2 requests, 0 ms blocked, 400 ms in all"


def test_legend_lists_only_what_the_timeline_shows() -> None:
    kinds = [entry.kind for entry in timeline_view(hand_trace()).legend]
    assert kinds == ["connect", "tls", "send", "wait", "read", "idle"]


def test_a_real_trace_gives_one_request_with_its_phases() -> None:
    trace = canonical_trace()
    view = timeline_view(trace)
    segments = [s for lane in view.lanes for s in lane.segments if s.request is not None]
    assert {s.kind for s in segments} >= {"connect", "tls", "wait"}
    assert view.requests == len(trace.requests) == 1
    assert all(0.0 <= s.left_pct <= 100.0 and s.width_pct > 0 for s in segments)


def test_helpers() -> None:
    assert nice_step(458) == 100.0
    assert nice_step(652) == 200.0
    assert nice_step(0) == 1.0
    assert span_text(39.8, 40.1) == _d("39.8-40.1 ms")
    assert span_text(1000, 1460) == _d("1,000-1,460 ms")


def test_template_draws_bars_legend_and_words() -> None:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined,
    )  # fmt: skip
    macro = env.get_template("_timeline.html").module.timeline  # type: ignore[attr-defined]
    html = str(macro(timeline_view(hand_trace(blocked_ms=300.0)), "Slow: main()", "tl-x"))
    assert 'role="img"' in html
    assert 'aria-labelledby="tl-x"' in html
    assert html.count('class="tl-seg tl-stall"') == 1
    assert "blocked at line 8" in html
    assert "<summary>The timeline in words</summary>" in html
    assert "task get#2: lives" in html
    assert 'class="tl-legend"' in html
