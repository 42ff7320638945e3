from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from lessons.evidence import compare_speed, evaluate, example_expectation
from lessons.models import Example, Expectation


@dataclass(frozen=True)
class FakeError:
    type: str
    message: str = "boom"
    line: int | None = 7


@dataclass(frozen=True)
class FakeTrace:
    error: FakeError | None = None
    result: str | None = "'ok'"
    warnings: Sequence[str] = field(default_factory=tuple)
    wall_ms: float = 100.0
    stopped: object = None
    tcp_connects: int = 1
    requests_overlap: bool = False
    blocked: bool = False


def test_an_empty_expectation_holds_for_a_clean_run() -> None:
    assert evaluate(Expectation(), FakeTrace()) == []


def test_an_unexpected_error_fails_even_an_empty_expectation() -> None:
    trace = FakeTrace(error=FakeError("ValueError"), result=None)

    assert evaluate(Expectation(), trace) == ["unexpected ValueError: boom (line 7)"]


def test_raises_holds_for_that_type() -> None:
    trace = FakeTrace(error=FakeError("AttributeError"), result=None)

    assert evaluate(Expectation(raises="AttributeError"), trace) == []


@pytest.mark.parametrize(
    ("seen", "wanted"),
    [("httpx.HTTPStatusError", "HTTPStatusError"), ("HTTPStatusError", "httpx.HTTPStatusError")],
)
def test_raises_matches_with_or_without_the_module(seen: str, wanted: str) -> None:
    assert evaluate(Expectation(raises=wanted), FakeTrace(error=FakeError(seen))) == []


def test_raises_fails_for_another_type_or_no_error() -> None:
    expect = Expectation(raises="httpx.HTTPStatusError")

    assert evaluate(expect, FakeTrace(error=FakeError("httpx.ConnectError", line=None))) == [
        "expected httpx.HTTPStatusError, got httpx.ConnectError: boom"
    ]
    assert evaluate(expect, FakeTrace()) == [
        "expected httpx.HTTPStatusError, but the run ended without an error"
    ]


def test_no_error() -> None:
    assert evaluate(Expectation(no_error=True), FakeTrace()) == []
    assert evaluate(Expectation(no_error=False), FakeTrace(error=FakeError("KeyError"))) == []
    assert evaluate(Expectation(no_error=False), FakeTrace()) == [
        "expected an error, but the run ended without one"
    ]


def test_returns_contains() -> None:
    expect = Expectation(returns_contains="200")

    assert evaluate(expect, FakeTrace(result="[200, 200]")) == []
    assert evaluate(expect, FakeTrace(result="[500]")) == [
        "expected the result to contain '200', got '[500]'"
    ]
    assert evaluate(expect, FakeTrace(result=None)) == [
        "expected the result to contain '200', no result"
    ]


def test_warns_contains() -> None:
    expect = Expectation(warns_contains="was never awaited")
    warned = FakeTrace(warnings=("RuntimeWarning: coroutine 'get' was never awaited",))

    assert evaluate(expect, warned) == []
    assert evaluate(expect, FakeTrace()) == [
        "expected a warning containing 'was never awaited'; warnings: none"
    ]


def test_tcp_connects() -> None:
    assert evaluate(Expectation(tcp_connects=1), FakeTrace(tcp_connects=1)) == []
    assert evaluate(Expectation(tcp_connects=1), FakeTrace(tcp_connects=3)) == [
        "expected 1 TCP connect, saw 3"
    ]


@pytest.mark.parametrize("expected", [True, False])
def test_requests_overlap(expected: bool) -> None:
    assert (
        evaluate(Expectation(requests_overlap=expected), FakeTrace(requests_overlap=expected)) == []
    )
    assert (
        len(
            evaluate(
                Expectation(requests_overlap=expected), FakeTrace(requests_overlap=not expected)
            )
        )
        == 1
    )


@pytest.mark.parametrize("expected", [True, False])
def test_blocked(expected: bool) -> None:
    assert evaluate(Expectation(blocked=expected), FakeTrace(blocked=expected)) == []
    [failure] = evaluate(Expectation(blocked=expected), FakeTrace(blocked=not expected))
    assert "block" in failure


def test_a_stopped_run_always_fails() -> None:
    assert evaluate(Expectation(), FakeTrace(stopped="time limit of 10 s")) == [
        "the run was stopped before it finished: time limit of 10 s"
    ]
    assert evaluate(Expectation(), FakeTrace(stopped=True)) == [
        "the run was stopped before it finished"
    ]


def test_every_given_field_is_checked() -> None:
    expect = Expectation(no_error=True, tcp_connects=1, requests_overlap=True, blocked=False)
    trace = FakeTrace(tcp_connects=3, requests_overlap=False, blocked=True)

    assert len(evaluate(expect, trace)) == 3


def test_compare_speed() -> None:
    assert compare_speed(FakeTrace(wall_ms=100), FakeTrace(wall_ms=300), 2.0) == []
    assert compare_speed(FakeTrace(wall_ms=200), FakeTrace(wall_ms=300), 2.0) == [
        "expected at least 2x faster: 200 ms against 300 ms (1.5x)"
    ]


def test_example_expectation() -> None:
    plain = Example(file="examples/a.py", title="A", call="main()")
    failing = plain.model_copy(update={"expect_error": "AttributeError"})

    assert example_expectation(plain) == Expectation(no_error=True)
    assert example_expectation(failing) == Expectation(raises="AttributeError")


def test_blocked_may_be_the_list_of_stalls() -> None:
    stalls = FakeTrace(blocked=("stall at line 9",))  # type: ignore[arg-type]

    assert evaluate(Expectation(blocked=True), stalls) == []
    assert evaluate(Expectation(blocked=False), FakeTrace(blocked=())) == []  # type: ignore[arg-type]
