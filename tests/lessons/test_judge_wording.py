"""A failed ``returns`` check says, in words, what was expected and what was seen: never the
pattern that checks it, never an empty exception message."""

from __future__ import annotations

from typing import Any

from lessons.exercise_checks import Checked
from lessons.judge import judge
from lessons.loader import load_catalog
from visualizer import ErrorInfo, Step, Trace
from visualizer.contract.events import ClientCreated

PATTERN = r"\{'ok': True, 'data': \{.*\}\}"
WORDS = "{'ok': True, 'data': {...}}"


def _trace(result: str | None, error: ErrorInfo | None = None) -> Trace:
    step = Step(step=1, line=2, task="main", action="a", evaluation="e", result="r", t_ms=1.0)
    return Trace(
        file="f.py", call="f()", steps=(step,), events=(), result=result, error=error, wall_ms=5.0
    )


def _detail(check: dict[str, Any], trace: Trace) -> str:
    checked = Checked.model_validate(
        {"runs": [{"id": "r", "call": "f()"}], "checks": [{"id": "a", "run": "r", **check}]}
    )
    [result] = judge(checked, {"r": trace}, "").checks
    assert not result.passed
    return result.detail


def test_a_pattern_check_shows_the_value_seen_and_the_expected_value_in_words() -> None:
    check = {"kind": "returns", "matches": PATTERN, "looks_like": WORDS, "text": "t"}
    detail = _detail(check, _trace("{'ok': False}"))
    assert detail == f"it returned {{'ok': False}}, expected {WORDS}"
    assert PATTERN not in detail
    unsaid = {"kind": "returns", "matches": PATTERN, "text": "t"}  # no words: still no pattern
    assert "\\{" not in _detail(unsaid, _trace("{'ok': False}"))


def test_an_exception_without_a_message_reads_as_a_sentence() -> None:
    check = {"kind": "returns", "equals": "{'ok': False, 'error': 'ReadTimeout'}", "text": "t"}
    raised = _trace(None, ErrorInfo(type="ReadTimeout", message="", line=3))
    assert _detail(check, raised) == (
        "it raised ReadTimeout instead of returning; expected {'ok': False, 'error': 'ReadTimeout'}"
    )
    said = _trace(None, ErrorInfo(type="KeyError", message="'data'", line=3))
    assert _detail(check, said).startswith("it raised KeyError: 'data' instead of returning;")


def test_every_pattern_check_in_the_lessons_has_its_words() -> None:
    for lesson in load_catalog().lessons:
        items = (*lesson.challenge.challenges, *lesson.project.steps)
        for item in items:
            for check in item.checks:
                if getattr(check, "matches", None) is not None:
                    assert getattr(check, "looks_like", None), (lesson.slug, item.id, check.id)


def test_a_client_check_links_to_the_step_that_made_the_client() -> None:
    """Entering ``async with`` makes the client; leaving the block is on the same line later."""
    lines = [(6, "Call"), (9, "Enter async with"), (10, "Await"), (9, "Leave"), (9, "Enter")]
    steps = tuple(
        Step(step=i, line=line, task="main", action=a, evaluation="e", result="r", t_ms=i * 10.0)
        for i, (line, a) in enumerate(lines, start=1)
    )
    limits = dict.fromkeys(("connect", "read", "write", "pool"), 5.0)
    made = [
        ClientCreated(
            t_ms=t, task="main", line=9, client=n, sync=False, ms=1.0, cpu_ms=1.0, **limits
        )
        for n, t in ((1, 21.0), (2, 51.0))
    ]
    trace = _trace("[200]").model_copy(update={"steps": steps, "events": tuple(made)})
    for check, step in (
        ({"explicit_timeout": True}, 2),  # the first client, made by step 2: its timeout
        ({"exactly": 1}, 5),  # the second client, made by step 5 (not "Leave", step 4)
    ):
        checked = Checked.model_validate(
            {
                "runs": [{"id": "r", "call": "f()"}],
                "checks": [
                    {"id": "a", "run": "r", "kind": "clients", "scope": "made", "text": "t"} | check
                ],
            }
        )
        [result] = judge(checked, {"r": trace}, "").checks
        assert not result.passed
        assert result.step == step, (check, result.detail)


def test_an_in_flight_failure_says_how_many_were_expected_at_once() -> None:
    check = {"kind": "in_flight", "min": 5, "text": "t"}
    assert _detail(check, _trace("[200]")) == (
        "at most 0 requests were on the wire at once (0 in all); expected at least 5 at once"
    )
