from __future__ import annotations

import pytest

from lessons import load_catalog
from lessons.models import Lesson
from loopscope.knobs import KnobError, form_of_run, resolve_knobs, single_values


@pytest.fixture(scope="module")
def lesson() -> Lesson:
    found = load_catalog().get("async-http-client-calls")
    assert found is not None
    return found


def form(lesson: Lesson, *knobs: str) -> int:
    """The number of the form whose knobs are exactly these."""
    return next(
        number
        for number, item in enumerate(lesson.visual.examples)
        if {knob.id for knob in item.knobs} == set(knobs)
    )


def test_defaults_build_the_documented_call(lesson: Lesson) -> None:
    choice = resolve_knobs(lesson, 0, {})
    assert choice.example == "canonical"
    assert choice.call == 'fetch_data("https://slow.example.com/delay/0.2")'


def test_range_values_are_rewritten_from_the_number(lesson: Lesson) -> None:
    assert resolve_knobs(lesson, 0, {"latency": "1.50"}).call.endswith('/delay/1.5")')
    fan_out = form(lesson, "n", "rounds", "client")
    assert resolve_knobs(lesson, fan_out, {"n": "4", "client": "per_call"}).call == (
        "fan_out_per_call(int(4), rounds=int(2))"
    )


@pytest.mark.parametrize(
    ("knobs", "fields", "example"),
    [
        (("latency", "what_if"), {}, "canonical"),
        (("latency", "what_if"), {"what_if": "as_written"}, "canonical"),
        (("latency", "what_if"), {"what_if": "no_await"}, "no_await"),
        (("latency", "what_if"), {"what_if": "blocking_sleep"}, "blocking_sleep"),
        (("pause",), {}, "heartbeat_blocking"),
        (("pause",), {"pause": "asyncio_sleep"}, "heartbeat_async"),
        (("status", "check"), {"check": "as_written"}, "canonical"),
        (("status", "check"), {"check": "raise_for_status"}, "fetch_data_checked"),
    ],
)
def test_a_what_if_choice_runs_its_variant(
    lesson: Lesson, knobs: tuple[str, ...], fields: dict[str, str], example: str
) -> None:
    assert resolve_knobs(lesson, form(lesson, *knobs), fields).example == example


def test_a_choice_outside_its_values_is_refused(lesson: Lesson) -> None:
    with pytest.raises(KnobError, match="pick one of"):
        resolve_knobs(lesson, form(lesson, "latency", "what_if"), {"what_if": "both"})


def test_a_field_sent_twice_is_refused() -> None:
    assert single_values([("what_if", "no_await"), ("latency", "0.2")]) == {
        "what_if": "no_await",
        "latency": "0.2",
    }
    with pytest.raises(KnobError, match="sent twice"):
        single_values([("what_if", "no_await"), ("what_if", "blocking_sleep")])


@pytest.mark.parametrize(
    ("knobs", "fields"),
    [
        (("latency", "what_if"), {"latency": "-1"}),
        (("latency", "what_if"), {"latency": "1e1"}),
        (("latency", "what_if"), {"latency": "0.1)"}),
        (("status", "check"), {"status": "200; import os"}),
        (("n", "rounds", "client"), {"client": "shared_"}),
        (("n", "rounds", "client"), {"rounds": "4"}),
        (("latency", "timeout"), {"timeout": "0"}),
    ],
)
def test_anything_else_is_refused(
    lesson: Lesson, knobs: tuple[str, ...], fields: dict[str, str]
) -> None:
    with pytest.raises(KnobError):
        resolve_knobs(lesson, form(lesson, *knobs), fields)


def test_a_run_knows_its_form_by_its_knob_ids(lesson: Lesson) -> None:
    number = form(lesson, "latency", "timeout")
    assert form_of_run(lesson, resolve_knobs(lesson, number, {}).knobs) == number
    assert form_of_run(lesson, ()) is None
