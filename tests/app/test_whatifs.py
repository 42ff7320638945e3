"""The Visual what-ifs, run for real: each one shows the lesson's point in its trace, and its
counter-example (the other choice of the same knob) does not. Meaning, never timings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from lessons import CONTENT_ROOT, load_catalog
from lessons.models import Lesson
from loopscope.knobs import resolve_knobs
from visualizer import Trace, TraceRequest, run_trace

pytestmark = pytest.mark.slow

SLUG = "async-http-client-calls"
RunForm = Callable[[int, Mapping[str, str]], Trace]


@pytest.fixture(scope="module")
def lesson() -> Lesson:
    found = load_catalog().get(SLUG)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def run_form(lesson: Lesson) -> RunForm:
    """Trace what a knob form asks for, exactly as the Visual page would (once per choice)."""
    cache: dict[tuple[int, tuple[tuple[str, str], ...]], Trace] = {}

    def run(form: int, fields: Mapping[str, str]) -> Trace:
        key = (form, tuple(sorted(fields.items())))
        if key not in cache:
            choice = resolve_knobs(lesson, form, fields)
            file = CONTENT_ROOT / SLUG / lesson.meta.examples[choice.example].file
            cache[key] = run_trace(TraceRequest(file, choice.call))
        return cache[key]

    return run


def _form(lesson: Lesson, *knobs: str) -> int:
    """The number of the form whose knobs are exactly these."""
    return next(
        number
        for number, item in enumerate(lesson.visual.examples)
        if {knob.id for knob in item.knobs} == set(knobs)
    )


def _line_of(trace: Trace, text: str) -> int:
    source = Path(trace.file).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(source, start=1) if text in line)


def test_a_blocking_sleep_leaves_the_heartbeat_no_beat(lesson: Lesson, run_form: RunForm) -> None:
    form = _form(lesson, "pause")
    trace = run_form(form, {"pause": "time_sleep"})
    assert trace.error is None
    assert trace.result is not None
    assert trace.result.endswith("pause: 0'")
    sleep_line = _line_of(trace, "time.sleep(0.3)")
    assert sleep_line in [stall.line for stall in trace.blocked]
    # The heartbeat is a task of its own, and it beats only after the stall ends.
    assert any(s.task and s.task.startswith("heartbeat") for s in trace.steps)
    stall = next(s for s in trace.blocked if s.line == sleep_line)
    assert stall.task is not None
    assert not stall.task.startswith("heartbeat")


def test_an_awaited_sleep_lets_the_heartbeat_beat(lesson: Lesson, run_form: RunForm) -> None:
    form = _form(lesson, "pause")
    trace = run_form(form, {"pause": "asyncio_sleep"})
    assert trace.error is None
    assert trace.result is not None
    beats = int(trace.result.rstrip("'").rsplit(": ", 1)[1])
    assert beats >= 1  # a 50 ms timer always fires before a 300 ms one
    sleep_line = _line_of(trace, "await asyncio.sleep(0.3)")
    assert sleep_line not in [stall.line for stall in trace.blocked]


def test_a_server_error_raises_only_with_raise_for_status(
    lesson: Lesson, run_form: RunForm
) -> None:
    form = _form(lesson, "status", "check")
    checked = run_form(form, {"status": "500", "check": "raise_for_status"})
    assert checked.error is not None
    assert checked.error.type == "HTTPStatusError"
    assert checked.error.line == _line_of(checked, "raise_for_status()")
    assert checked.result is None
    as_written = run_form(form, {"status": "500", "check": "as_written"})
    assert as_written.error is None
    assert as_written.result is not None  # the 500's body comes back like any other


def test_raise_for_status_lets_a_success_through(lesson: Lesson, run_form: RunForm) -> None:
    form = _form(lesson, "status", "check")
    ok = run_form(form, {"status": "200", "check": "raise_for_status"})
    assert ok.error is None
    assert ok.result is not None


@pytest.mark.parametrize(("client", "connects"), [("shared", 2), ("per_call", 6)])
def test_one_shared_client_connects_once_across_rounds(
    lesson: Lesson, run_form: RunForm, client: str, connects: int
) -> None:
    trace = run_form(
        _form(lesson, "n", "rounds", "client"), {"n": "2", "rounds": "3", "client": client}
    )
    assert trace.error is None
    assert [request.status for request in trace.requests] == ["200 OK"] * 6
    # A shared client opens two connections in round one and reuses them in rounds two and
    # three; a client per call opens a new one for every request.
    assert trace.tcp_connects == connects
