"""The player's run header says how the requests ended, read from the trace's request records."""

from __future__ import annotations

from loopscope.views.visual import requests_text
from visualizer import Trace
from visualizer.contract.events import AnyEvent, HttpPhase, RequestSent, ResponseArrived, TaskDone

URL = "https://api.example.com/delay/1"
WAIT = {"scope": "connection_pool", "phase": "wait_for_connection"}


def trace_of(events: list[AnyEvent]) -> Trace:
    return Trace(
        file="f.py", call="main()", steps=(), events=tuple(events), result=None, error=None,
        wall_ms=10.0,
    )  # fmt: skip


def test_answered_and_pool_timeouts_are_told_apart() -> None:
    events: list[AnyEvent] = []
    for number in (1, 2):
        events.append(RequestSent(t_ms=1.0, task=f"t{number}", request=number, url=URL))
        events.append(HttpPhase(t_ms=2.0, task=f"t{number}", request=number, phase="connect_tcp",
                                scope="connection", state="complete", ms=1.0))  # fmt: skip
        events.append(ResponseArrived(t_ms=3.0, task=f"t{number}", request=number,
                                      status_code=200, reason="OK"))  # fmt: skip
    for number in (3, 4):
        events.append(RequestSent(t_ms=1.0, task=f"t{number}", request=number, url=URL))
        events.append(HttpPhase(t_ms=1.5, task=f"t{number}", request=number, **WAIT))  # type: ignore[arg-type]
        events.append(HttpPhase(t_ms=4.0, task=f"t{number}", request=number, state="failed",
                                error="PoolTimeout", **WAIT))  # type: ignore[arg-type]  # fmt: skip
        events.append(
            TaskDone(t_ms=4.1, task=f"t{number}", outcome="raised", value="PoolTimeout()")
        )
    assert requests_text(trace_of(events)) == "4 (2 answered; 2 PoolTimeout, never on the wire)"


def test_a_run_without_requests_says_nothing() -> None:
    assert requests_text(trace_of([])) == ""
