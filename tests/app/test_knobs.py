from __future__ import annotations

import pytest

from lessons import load_catalog
from lessons.models import Lesson
from loopscope.knobs import KnobError, form_of_run, resolve_knobs


@pytest.fixture(scope="module")
def lesson() -> Lesson:
    found = load_catalog().get("async-http-client-calls")
    assert found is not None
    return found


def test_defaults_build_the_documented_call(lesson: Lesson) -> None:
    choice = resolve_knobs(lesson, 0, {})
    assert choice.example == "canonical"
    assert choice.call == 'fetch_data("https://slow.example.com/delay/0.2")'


def test_range_values_are_rewritten_from_the_number(lesson: Lesson) -> None:
    assert resolve_knobs(lesson, 0, {"latency": "1.50"}).call.endswith('/delay/1.5")')
    assert resolve_knobs(lesson, 3, {"n": "4", "client": "per_call"}).call == (
        "fan_out_per_call(int(4))"
    )


def test_a_toggle_switches_to_its_variant(lesson: Lesson) -> None:
    assert resolve_knobs(lesson, 0, {"no_await": "true"}).example == "no_await"
    with pytest.raises(KnobError, match="one what-if"):
        resolve_knobs(lesson, 0, {"no_await": "true", "blocking_sleep": "true"})


@pytest.mark.parametrize(
    ("form", "fields"),
    [
        (0, {"latency": "-1"}),
        (0, {"latency": "1e1"}),
        (0, {"latency": "0.1)"}),
        (1, {"status": "200; import os"}),
        (3, {"client": "shared_"}),
        (2, {"timeout": "0"}),
    ],
)
def test_anything_else_is_refused(lesson: Lesson, form: int, fields: dict[str, str]) -> None:
    with pytest.raises(KnobError):
        resolve_knobs(lesson, form, fields)


def test_a_run_knows_its_form_by_its_knob_ids(lesson: Lesson) -> None:
    assert form_of_run(lesson, resolve_knobs(lesson, 2, {}).knobs) == 2
    assert form_of_run(lesson, ()) is None
