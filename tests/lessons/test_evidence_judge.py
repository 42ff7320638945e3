from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from lessons.evidence_judge import (
    Failure,
    compare_speed,
    evaluate,
    example_expectation,
    failures,
    rejection,
)
from lessons.models import Example, Expectation
from visualizer.read.analysis import Phase, RequestRecord, Stall


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
    requests: Sequence[RequestRecord] = field(default_factory=tuple)
    blocked: Sequence[Stall] = field(default_factory=tuple)


def request(
    number: int, start: float, end: float, *phases: str, url: str = "https://api.example.com/"
) -> RequestRecord:
    """A request as ``find_requests`` reports it, with ``phases`` that all completed."""
    return RequestRecord(
        number=number,
        task="main",
        line=5,
        method="GET",
        url=url,
        status="200 OK",
        start_ms=start,
        end_ms=end,
        phases=tuple(Phase(name, start, end, True) for name in phases),
    )


def in_process(number: int, start: float, end: float) -> RequestRecord:
    """A request answered by ``httpx.ASGITransport``: no connection phases at all."""
    return request(number, start, end, url="http://testserver/dashboard")


SEQUENTIAL = (request(1, 0, 10, "connect_tcp", "send_request_headers"),
              request(2, 10, 20, "send_request_headers"))  # fmt: skip
OVERLAPPING = (request(1, 0, 10, "connect_tcp", "send_request_headers"),
               request(2, 5, 15, "connect_tcp", "send_request_headers"))  # fmt: skip


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
    holds = FakeTrace(requests=OVERLAPPING if expected else SEQUENTIAL)
    fails = FakeTrace(requests=SEQUENTIAL if expected else OVERLAPPING)

    assert evaluate(Expectation(requests_overlap=expected), holds) == []
    assert len(evaluate(Expectation(requests_overlap=expected), fails)) == 1


def test_overlap_counts_only_requests_that_went_out() -> None:
    """The in-process request around sequential upstream calls must not count as overlap."""
    around = (in_process(1, 0, 30), request(2, 1, 10, "connect_tcp"), request(3, 11, 20))
    sequential_inside = FakeTrace(requests=around)

    assert evaluate(Expectation(requests_overlap=False), sequential_inside) == []
    assert evaluate(Expectation(requests_overlap=True), sequential_inside) == [
        "expected requests out at the same time, but they went one after another"
    ]


def test_request_counts() -> None:
    retried = FakeTrace(
        requests=(
            in_process(1, 0, 50),
            attempts(2, ("connect_tcp", False), ("connect_tcp", False), ("connect_tcp", True)),
            request(3, 20, 30, "send_request_headers"),
        )
    )
    expect = Expectation(connect_attempts=3, connections_reused=1, upstream_requests=2)

    assert evaluate(expect, retried) == []
    assert evaluate(Expectation(connect_attempts=1, upstream_requests=3), retried) == [
        "expected 1 TCP connection attempt, saw 3",
        "expected 3 requests sent out, saw 2",
    ]
    assert evaluate(Expectation(connections_reused=0), retried) == [
        "expected 0 requests on a reused connection, saw 1"
    ]


def attempts(number: int, *phases: tuple[str, bool]) -> RequestRecord:
    return RequestRecord(
        number, "main", 5, "GET", "https://api.invalid/", None, 0, 10,
        tuple(Phase(name, 0, 1, ok) for name, ok in phases),
    )  # fmt: skip


SOURCE = "import time\n\nasync def main():\n    time.sleep(0.2)\n    await other()\n"


def test_blocked_at_reads_the_line_of_the_stall() -> None:
    at_sleep = FakeTrace(blocked=(Stall("main", 4, 201.0),))
    elsewhere = FakeTrace(blocked=(Stall("main", 3, 150.0),))  # e.g. building a client
    expect = Expectation(blocked_at="sleep(0.2)")

    assert evaluate(expect, at_sleep, source=SOURCE) == []
    assert evaluate(expect, elsewhere, source=SOURCE) == [
        "expected the loop held over 50 ms at 'sleep(0.2)' (line 4); stalls at lines: 3"
    ]


def test_free_at_fails_on_a_stall_at_that_line_only() -> None:
    expect = Expectation(free_at="sleep(0.2)")

    assert evaluate(expect, FakeTrace(blocked=(Stall("main", 3, 150.0),)), source=SOURCE) == []
    assert evaluate(expect, FakeTrace(blocked=(Stall("main", 4, 201.0),)), source=SOURCE) == [
        "expected the loop never held over 50 ms at 'sleep(0.2)', but it was at line 4"
    ]


def test_returns_compares_the_whole_result() -> None:
    expect = Expectation(returns="[200, 200, 200]")

    assert evaluate(expect, FakeTrace(result="[200, 200, 200]")) == []
    assert evaluate(expect, FakeTrace(result="[200, 200, 200, 500]")) == [
        "expected the result '[200, 200, 200]', got '[200, 200, 200, 500]'"
    ]


@pytest.mark.parametrize("expected", [True, False])
def test_blocked(expected: bool) -> None:
    stalls = (Stall("main", 9, 80.0),)
    holds = FakeTrace(blocked=stalls if expected else ())
    fails = FakeTrace(blocked=() if expected else stalls)

    assert evaluate(Expectation(blocked=expected), holds) == []
    [failure] = evaluate(Expectation(blocked=expected), fails)
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
    trace = FakeTrace(tcp_connects=3, requests=SEQUENTIAL, blocked=(Stall("main", 9, 80.0),))

    assert len(evaluate(expect, trace)) == 3


def test_a_counter_example_failing_a_named_check_is_rejected() -> None:
    expect = Expectation(requests_overlap=True)

    rejected, report = rejection(failures(expect, FakeTrace(requests=SEQUENTIAL)), expect)

    assert rejected
    assert report == "expected requests out at the same time, but they went one after another"


def test_a_counter_example_that_passes_is_a_defect() -> None:
    expect = Expectation(requests_overlap=True)

    assert rejection(failures(expect, FakeTrace(requests=OVERLAPPING)), expect) == (
        False,
        "the counter-example passed: this check cannot fail",
    )


@pytest.mark.parametrize(
    ("trace", "why"),
    [
        (
            FakeTrace(error=FakeError("NameError")),
            "it crashed (unexpected NameError: boom (line 7))",
        ),
        (FakeTrace(stopped="time"), "the run was stopped before it finished: time"),
    ],
)
def test_a_counter_example_that_crashes_or_stops_proves_nothing(trace: FakeTrace, why: str) -> None:
    expect = Expectation(tcp_connects=3)  # the crash also fails this check, for no good reason

    assert rejection(failures(expect, trace), expect) == (
        False,
        f"the counter-example proves nothing: {why}",
    )


def test_an_error_rejects_a_counter_example_when_the_claim_is_about_errors() -> None:
    expect = Expectation(no_error=True)
    crashed = FakeTrace(error=FakeError("ConnectError"))

    assert rejection(failures(expect, crashed), expect) == (
        True,
        "unexpected ConnectError: boom (line 7)",
    )
    assert failures(Expectation(raises="X"), FakeTrace()) == [
        Failure("raises", "expected X, but the run ended without an error")
    ]


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
