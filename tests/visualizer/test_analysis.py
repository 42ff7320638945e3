"""The analyses the condenser, the views and the challenge checks share, on synthetic events."""

from synthetic import TASK, Script, canonical

from visualizer.contract.events import (
    Blocked,
    Caught,
    HttpPhase,
    Raised,
    Suspended,
    TaskStarted,
    Unwound,
)
from visualizer.contract.events import ErrorText as E
from visualizer.read.analysis import (
    ExceptionCount,
    RequestRecord,
    clients_created,
    exceptions,
    find_requests,
    find_stalls,
    max_in_flight,
    overlapping,
    task_states,
    tcp_connects,
)


def _request(number: int, start: float, end: float) -> RequestRecord:
    return RequestRecord(number, "t", 1, "GET", "u", "200 OK", start, end)


def test_requests_and_connections_of_the_canonical_run() -> None:
    events = canonical()
    (request,) = find_requests(events)
    assert (request.task, request.line, request.method, request.status) == (
        TASK,
        6,
        "GET",
        "200 OK",
    )
    assert request.phase_names == ("connect_tcp", "start_tls", "send_request_headers")
    assert tcp_connects(events) == 1
    assert clients_created(events) == 1


def test_in_flight_counts_the_most_requests_at_once() -> None:
    sequential = [_request(1, 0, 10), _request(2, 10, 20), _request(3, 20, 30)]
    assert max_in_flight(sequential) == 1
    assert not overlapping(sequential)
    gathered = [_request(1, 0, 30), _request(2, 1, 10), _request(3, 2, 20), _request(4, 25, 40)]
    assert max_in_flight(gathered) == 3
    assert overlapping(gathered)
    assert max_in_flight([]) == 0


def test_exceptions_are_counted_by_type_once_where_they_appear() -> None:
    timeout = E(type="ReadTimeout", text="ReadTimeout('timed out')")
    script = Script()
    script.add(Raised, line=6, frame="f", error=timeout)
    script.add(Unwound, line=6, frame="f", error=timeout)  # the same one, propagating
    script.add(Caught, line=9, frame="g", error=timeout)
    script.add(Unwound, line=12, frame="g", error=E(type="KeyError", text="KeyError('b')"))
    assert exceptions(script.events) == (
        ExceptionCount("ReadTimeout", raised=1, caught=1),
        ExceptionCount("KeyError", raised=1, caught=0),
    )


def test_stalls_carry_their_cause() -> None:
    script = Script()
    script.add(Blocked, dt=200, line=8, ms=200.0, cpu_ms=0.1, cause="sleep")
    (stall,) = find_stalls(script.events)
    assert (stall.line, stall.cause, stall.ms) == (8, "sleep", 200.0)
    assert stall.start_ms == stall.end_ms - 200.0


def test_a_task_suspended_at_an_await_is_waiting_on_its_request() -> None:
    events = canonical()
    suspended = next(e for e in events if e.kind == "suspend")
    (state,) = task_states(events, until_ms=suspended.t_ms + 0.5)
    assert (state.state, state.line) == ("waiting", 6)
    assert state.waiting_on == "a Future"  # every phase it started had completed
    script = Script()
    script.add(TaskStarted, coroutine="<coroutine get>")
    script.add(HttpPhase, line=6, request=1, phase="receive_response_headers", state="started")
    script.add(Suspended, line=6)
    (state,) = task_states(script.events, until_ms=script.t + 1)
    assert state.waiting_on == "its request (receive response headers)"
    (done,) = task_states(events, until_ms=events[-1].t_ms + 1)
    assert (done.state, done.outcome) == ("done", "returned")
