"""``lessons.judge`` on small hand-built traces: each kind of check, pass and fail."""

from __future__ import annotations

from typing import Any

from lessons.attempt import coverage_defects
from lessons.exercise_checks import Checked
from lessons.judge import HIDDEN_FAILED, HIDDEN_PASSED, Verdict, judge
from visualizer import ErrorInfo, Step, Trace
from visualizer.contract.events import (
    AnyEvent,
    Blocked,
    ClientClosed,
    ClientCreated,
    HttpPhase,
    RequestSent,
)


def _request(n: int, start: float, end: float, client: int = 1) -> list[AnyEvent]:
    url = f"https://api.example.com/delay/{n}"
    return [
        RequestSent(t_ms=start, task="main", request=n, url=url, client=client),
        HttpPhase(t_ms=start + 1, task="main", request=n, scope="connection", phase="connect_tcp"),
        HttpPhase(
            t_ms=start + 2,
            task="main",
            request=n,
            scope="connection",
            phase="connect_tcp",
            state="complete",
        ),
        HttpPhase(
            t_ms=end, task="main", request=n, phase="receive_response_body", state="complete"
        ),
    ]


def _client(
    n: int, line: int, t: float, timeout: float = 2.0, closed: float | None = None
) -> list[AnyEvent]:
    limits = dict.fromkeys(("connect", "read", "write", "pool"), timeout)
    made: list[AnyEvent] = [
        ClientCreated(
            t_ms=t, task="main", line=line, client=n, sync=False, ms=1.0, cpu_ms=1.0, **limits
        )
    ]
    if closed is not None:
        made.append(ClientClosed(t_ms=closed, task="main", line=line, client=n))
    return made


def _blocked(t: float, line: int, ms: float) -> Blocked:
    return Blocked(t_ms=t, task="main", line=line, ms=ms, cpu_ms=ms, cause="cpu")


def _trace(
    events: list[AnyEvent], *, result: str | None = "[200, 200]", wall: float = 100.0
) -> Trace:
    steps = tuple(
        Step(
            step=i,
            line=i + 1,
            task="main",
            action="a",
            evaluation="e",
            result="r",
            t_ms=float(i * 10),
        )
        for i in range(1, 11)
    )
    return Trace(
        file="f.py",
        call="f()",
        steps=steps,
        events=tuple(sorted(events, key=lambda e: e.t_ms)),
        result=result,
        error=None,
        wall_ms=wall,
    )


def _checked(*checks: dict[str, Any]) -> Checked:
    return Checked.model_validate({"runs": [{"id": "r", "call": "f()"}], "checks": list(checks)})


def _one(checked: Checked, trace: Trace, source: str = "") -> Verdict:
    return judge(checked, {"r": trace}, source)


def test_returns_compares_the_full_repr_exactly_or_by_pattern() -> None:
    trace = _trace([], result="[200, 201]")
    equal = _checked(
        {"id": "a", "kind": "returns", "run": "r", "equals": "[200, 201]", "text": "t"}
    )
    other = _checked(
        {"id": "a", "kind": "returns", "run": "r", "equals": "[201, 200]", "text": "t"}
    )
    pattern = _checked(
        {"id": "a", "kind": "returns", "run": "r", "matches": r"\[200, \d+\]", "text": "t"}
    )
    assert _one(equal, trace).passed
    assert _one(pattern, trace).passed
    failed = _one(other, trace).checks[0]
    assert not failed.passed
    assert "expected [201, 200]" in failed.detail
    assert failed.step == 10  # the last step: where the value is returned


def test_in_flight_counts_requests_on_the_wire_and_links_the_busiest_moment() -> None:
    overlapping = _request(1, 10, 60) + _request(2, 20, 70) + _request(3, 30, 80)
    check = {"id": "a", "kind": "in_flight", "run": "r", "max": 2, "text": "t"}
    result = _one(_checked(check), _trace(overlapping)).checks[0]
    assert not result.passed
    assert "at most 3 requests" in result.detail
    assert result.step == 3  # t=30 ms falls in step 3 (steps begin every 10 ms)
    one_by_one = _request(1, 10, 20) + _request(2, 20, 30)
    assert _one(_checked(check), _trace(one_by_one)).passed


def test_requests_without_http_phases_are_not_upstream_calls() -> None:
    in_process: list[AnyEvent] = [
        RequestSent(t_ms=10, task="main", request=n, url="http://app/") for n in (1, 2, 3)
    ]
    check = {"id": "a", "kind": "in_flight", "run": "r", "min": 2, "text": "t"}
    assert not _one(_checked(check), _trace(in_process)).passed


def test_clients_one_shared_explicit_timeout_closed() -> None:
    shared = _client(1, 3, 5, closed=90) + _request(1, 10, 50) + _request(2, 10, 50)
    check = {
        "id": "a",
        "kind": "clients",
        "run": "r",
        "exactly": 1,
        "explicit_timeout": True,
        "closed": True,
        "text": "t",
    }
    assert _one(_checked(check), _trace(shared)).passed
    two = _client(1, 3, 5) + _client(2, 7, 6) + _request(1, 10, 50) + _request(2, 10, 50, client=2)
    result = _one(_checked(check), _trace(two)).checks[0]
    assert not result.passed
    assert "2 client(s)" in result.detail
    assert "line 3, 7" in result.detail
    default = _client(1, 3, 5, timeout=5.0, closed=90) + _request(1, 10, 50)
    assert "default timeout" in _one(_checked(check), _trace(default)).checks[0].detail
    never_closed = _client(1, 3, 5) + _request(1, 10, 50)
    assert "never closed" in _one(_checked(check), _trace(never_closed)).checks[0].detail


def test_stalls_ignore_the_line_that_makes_a_client() -> None:
    events = [*_client(1, 3, 5), _blocked(6, line=3, ms=120.0)]
    check = {"id": "a", "kind": "stalls", "run": "r", "text": "t"}
    assert _one(_checked(check), _trace(events)).passed
    events.append(_blocked(50, line=8, ms=200.0))
    result = _one(_checked(check), _trace(events)).checks[0]
    assert not result.passed
    assert "line 8" in result.detail
    assert result.step == 7


def test_source_names_the_handler_and_refuses_broad_ones() -> None:
    check = {
        "id": "a",
        "kind": "source",
        "handler_names": ["httpx.HTTPError"],
        "no_broad_except": True,
        "text": "t",
    }
    good = "try:\n    pass\nexcept httpx.HTTPError:\n    pass\n"
    broad = "try:\n    pass\nexcept Exception:\n    pass\n"
    narrow = "try:\n    pass\nexcept httpx.RequestError:\n    pass\n"
    assert _one(_checked(check), _trace([]), good).passed
    assert "catches Exception" in _one(_checked(check), _trace([]), broad).checks[0].detail
    assert "RequestError" in _one(_checked(check), _trace([]), narrow).checks[0].detail


def test_a_run_that_could_not_be_recorded_fails_its_checks_with_the_reason() -> None:
    check = _checked({"id": "a", "kind": "returns", "run": "r", "equals": "1", "text": "t"})
    verdict = judge(check, {}, "", {"r": "mine.py: syntax error at line 2: invalid syntax"})
    assert not verdict.passed
    assert "line 2" in verdict.checks[0].detail


def test_a_check_that_no_wrong_variant_fails_is_a_defect() -> None:
    checked = _checked(
        {"id": "value", "kind": "returns", "run": "r", "equals": "[200, 200]", "text": "t"},
        {
            "id": "quick",
            "kind": "wall_time",
            "run": "r",
            "measure": "wall",
            "slowest_ms": 100,
            "at_most": 2,
            "text": "t",
        },
    )
    wrong = {"slow-but-right": _one(checked, _trace([], wall=500.0))}
    assert coverage_defects(checked, wrong) == ("value",)


def test_an_explicit_timeout_rejects_a_phase_left_at_none() -> None:
    check = {"id": "a", "kind": "clients", "run": "r", "explicit_timeout": True, "text": "t"}
    for phase in ("connect", "read", "write", "pool"):
        limits: dict[str, float | None] = dict.fromkeys(("connect", "read", "write", "pool"), 2.0)
        limits[phase] = None
        made = ClientCreated(
            t_ms=5, task="main", line=3, client=1, sync=False, ms=1.0, cpu_ms=1.0, **limits
        )
        result = _one(_checked(check), _trace([made, *_request(1, 10, 50)])).checks[0]
        assert not result.passed, phase
        assert f"no {phase} timeout (None)" in result.detail
    every_phase_set = _client(1, 3, 5, timeout=2.0) + _request(1, 10, 50)
    assert _one(_checked(check), _trace(every_phase_set)).passed


def test_a_hidden_run_says_pass_or_fail_and_nothing_its_inputs_produced() -> None:
    checked = Checked.model_validate(
        {
            "runs": [{"id": "seen", "call": "f()"}, {"id": "r", "call": "f(1)", "hidden": True}],
            "checks": [
                {"id": "value", "kind": "returns", "run": "r", "equals": "'ok'", "text": "t"},
                {"id": "raised", "kind": "raises", "run": "r", "text": "t"},
                {"id": "caught", "kind": "caught", "run": "r", "type": "KeyError", "text": "t"},
            ],
        }
    )
    secret = "called with url='https://hush.example.com/x', default='sesame'"
    leaked = _trace([], result=None).model_copy(
        update={"error": ErrorInfo(type="RuntimeError", message=secret, line=3), "output": secret}
    )
    verdict = judge(checked, {"r": leaked, "seen": _trace([])}, "")
    assert not verdict.passed
    for result in verdict.checks:
        assert not result.passed
        assert "hush" not in result.detail
        assert "sesame" not in result.detail
        assert "RuntimeError" not in result.detail
        assert result.detail == HIDDEN_FAILED
        assert result.step is None  # no link into the hidden run's replay
    problem = judge(checked, {"seen": _trace([])}, "", {"r": f"RuntimeError: {secret}"})
    assert all(c.detail == HIDDEN_FAILED for c in problem.checks)
    good = _trace([], result="'ok'")
    assert judge(checked, {"r": good, "seen": good}, "").checks[0].detail == HIDDEN_PASSED


def test_no_error_expected_fails_a_run_that_hung_until_stopped() -> None:
    check = _checked({"id": "starts", "kind": "raises", "run": "r", "text": "t"})
    hung = _trace([], result=None).model_copy(update={"stopped": "wall"})
    result = _one(check, hung).checks[0]
    assert not result.passed
    assert "never finished" in result.detail
    assert _one(check, _trace([])).passed
    said = _checked(
        {"id": "starts", "kind": "raises", "run": "r", "failure": "The app did not start",
         "text": "t"}
    )  # fmt: skip
    assert _one(said, hung).checks[0].detail.startswith("The app did not start: ")


def test_source_catches_judges_the_set_of_classes_caught() -> None:
    check = {"id": "a", "kind": "source", "catches": "httpx.HTTPError", "text": "t"}
    same = [
        "import httpx\ntry: pass\nexcept httpx.HTTPError: pass\n",
        "import httpx as hx\ntry: pass\nexcept hx.HTTPError: pass\n",
        "import httpx\ntry: pass\nexcept (httpx.RequestError, httpx.HTTPStatusError): pass\n",
        "from httpx import RequestError as E, HTTPStatusError\n"
        "try: pass\nexcept E: pass\nexcept HTTPStatusError: pass\n",
    ]
    for source in same:
        assert _one(_checked(check), _trace([]), source).passed, source
    broader = {
        "import httpx\ntry: pass\nexcept (httpx.HTTPError, ValueError): pass\n": "ValueError",
        "try: pass\nexcept Exception: pass\n": "more than",
        "try: pass\nexcept: pass\n": "bare except",
        "import httpx\ntry: pass\nexcept httpx.RequestError: pass\n": "HTTPStatusError",
        "import httpx\ntry: pass\nexcept httpx.HTTPError: pass\nexcept TypeError: pass\n": (
            "TypeError"
        ),
        "import mylib as httpx\ntry: pass\nexcept httpx.HTTPError: pass\n": "no exception class",
    }
    for source, why in broader.items():
        result = _one(_checked(check), _trace([]), source).checks[0]
        assert not result.passed, source
        assert why in result.detail, (source, result.detail)


def test_handler_names_are_resolved_through_import_aliases() -> None:
    check = {"id": "a", "kind": "source", "handler_names": ["httpx.HTTPError"], "text": "t"}
    aliased = "import httpx as hx\ntry: pass\nexcept hx.HTTPError: pass\n"
    assert _one(_checked(check), _trace([]), aliased).passed
