"""What real runs show about concurrency, connections, timeouts and the demo upstream."""

import pytest
from tracesamples import TraceOf

from visualizer.contract.events import HttpPhase, Warned

pytestmark = pytest.mark.slow


def test_gather_requests_overlap_and_resume_in_arrival_order(trace_of: TraceOf) -> None:
    trace = trace_of("gather.py", "main()")
    assert trace.result == "[200, 200, 200]"
    assert trace.requests_overlap
    assert len(trace.requests) == 3
    # Tasks carry the learner's names: the coroutine function and its arguments.
    one, two, three = (
        f"fetch_one(client, 'https://api.example.com/delay/{delay}')"
        for delay in ("0.3", "0.1", "0.2")
    )
    tasks = [s.task for s in trace.steps if s.action.startswith("Task ")]
    assert tasks == [one, two, three]
    started = next(s for s in trace.steps if s.action.startswith("Start 3 tasks"))
    assert f"{one}, {two}, {three}" in started.action
    waits = [s.task for s in trace.steps if s.action == "Await client.get(url)"]
    assert waits == [one, two, three]
    assert any(s.action == "The event loop waits in select()" for s in trace.steps)
    # delays are 0.3, 0.1 and 0.2 s: responses arrive as #2, #3, #1
    arrivals = [s.task for s in trace.steps if "response arrives" in s.action.lower()]
    assert arrivals == [two, three, one]
    assert trace.max_in_flight == 3
    assert trace.clients_created == 1
    last = trace.variables[-1]
    assert last["statuses"] == "[200, 200, 200]"
    assert last["fetch_one#2.response"] == "Response [200 OK]"
    assert last["fetch_one#1.url"] == "'https://api.example.com/delay/0.3'"


def test_tasks_running_library_code_tell_their_requests(trace_of: TraceOf) -> None:
    trace = trace_of("gather.py", "library_tasks()")
    assert trace.result == "[200, 200]"
    get1 = "AsyncClient.get('https://api.example.com/delay/0.3')"
    get2 = "AsyncClient.get('https://api.example.com/delay/0.1')"
    told = [(s.task, s.action) for s in trace.steps if s.task in (get1, get2)]
    # both requests go out before either answer; delays 0.3 and 0.1 s: #2 answers first
    assert told == [
        (get1, f"{get1} sends GET https://api.example.com/delay/0.3"),
        (get2, f"{get2} sends GET https://api.example.com/delay/0.1"),
        (get2, f"Task {get2} finishes"),
        (get1, f"Task {get1} finishes"),
    ]
    finished = next(s for s in trace.steps if s.action == f"Task {get2} finishes")
    assert "200 OK" in finished.evaluation
    sent = next(s for s in trace.steps if s.action.startswith(f"{get1} sends"))
    assert "opening a TCP connection" in sent.evaluation  # httpcore's names stay in events
    assert "waiting for the answer" in sent.evaluation


def test_one_shared_client_connects_once(trace_of: TraceOf) -> None:
    shared = trace_of("clients.py", "shared(3)")
    per_call = trace_of("clients.py", "one_client_per_call(3)")
    assert shared.result == per_call.result == "[200, 200, 200]"
    assert shared.tcp_connects == 1
    assert per_call.tcp_connects == 3
    assert (shared.clients_created, per_call.clients_created) == (1, 3)
    assert shared.max_in_flight == per_call.max_in_flight == 1
    assert not shared.requests_overlap


def test_both_schemes_reach_the_demo_upstream(trace_of: TraceOf) -> None:
    plain = trace_of("clients.py", 'get("http://api.example.com/status/204")')
    tls = trace_of("clients.py", 'get("https://other.example.com/json")')
    assert plain.result == "204"
    assert tls.result == "200"
    assert "start_tls" not in plain.requests[0].phase_names
    assert "start_tls" in tls.requests[0].phase_names


def test_unknown_host_fails_like_an_unreachable_one(trace_of: TraceOf) -> None:
    trace = trace_of("clients.py", 'get("https://www.python.org/")')
    assert trace.error is not None
    assert trace.error.type == "ConnectError"
    assert trace.error.line == 24
    assert trace.result is None


def test_timeout_surfaces_at_its_await_line(trace_of: TraceOf) -> None:
    trace = trace_of("timeout.py", "slow()")
    assert trace.error is not None
    assert (trace.error.type, trace.error.line) == ("ReadTimeout", 6)
    failed = next(s for s in trace.steps if "the await fails" in s.action)
    assert failed.line == 6
    assert "ReadTimeout" in failed.evaluation
    handled = trace_of("timeout.py", "handled()")
    assert handled.error is None
    assert handled.result == "'gave up: ReadTimeout'"
    assert any("catches it" in s.action and s.line == 13 for s in handled.steps)


def test_blocking_sleep_is_flagged_at_its_line(trace_of: TraceOf) -> None:
    trace = trace_of("blocking.py", "nap()")
    assert [(stall.line, stall.cause) for stall in trace.blocked] == [(8, "sleep")]
    assert trace.blocked_ms >= 150
    row = next(s for s in trace.steps if s.line == 8)
    assert "blocks the event loop" in row.evaluation


def test_sync_client_inside_async_def_blocks(trace_of: TraceOf) -> None:
    trace = trace_of("blocking.py", "sync_client_inside_async()")
    assert trace.result == "200"
    assert (14, "sync_http") in [(stall.line, stall.cause) for stall in trace.blocked]
    assert trace.requests[0].line == 14


def test_missing_await(trace_of: TraceOf) -> None:
    trace = trace_of("missing_await.py", 'fetch_data("https://api.example.com/data")')
    assert trace.error is not None
    assert (trace.error.type, trace.error.line) == ("AttributeError", 7)
    assert trace.variables[-1]["response"] == "<coroutine AsyncClient.get>"
    # response changes at the row of line 6 (where it ran), not before
    at_6 = next(n for n, s in enumerate(trace.steps) if s.line == 6)
    assert [v["response"] for v in trace.variables[:at_6]] == ["(not set)"] * at_6
    assert trace.steps[at_6].changes["response"] == "<coroutine AsyncClient.get>"
    assert any("was never awaited" in text for text in trace.warnings)
    assert any(
        isinstance(e, Warned) and e.category == "RuntimeWarning" and "never awaited" in e.message
        for e in trace.events
    )
    assert trace.requests == ()


def test_the_result_is_the_whole_repr_not_the_tables_cut(trace_of: TraceOf) -> None:
    """Lesson checks compare Trace.result whole; the tables show 4 items and a count."""
    trace = trace_of("clients.py", "shared(12)")

    assert trace.result == repr([200] * 12)
    assert "(12 items)" in trace.steps[-1].result


def test_every_phase_of_every_request_is_told_once_started_and_ended(trace_of: TraceOf) -> None:
    """A phase that ends with nothing recorded since its start is one event (its end, with
    ``ms``): the request still lists it, starting ``ms`` before it ended."""
    trace = trace_of("gather.py", "main()")
    http11 = [
        "send_request_headers",
        "send_request_body",
        "receive_response_headers",
        "receive_response_body",
        "response_closed",
    ]
    merged = [e for e in trace.events if isinstance(e, HttpPhase) and e.ms is not None]
    assert merged  # sending an empty body ends at once, in every run
    assert all(e.state == "complete" and e.ms is not None and e.ms >= 0 for e in merged)
    for request in trace.requests:
        names = [phase.name for phase in request.phases]
        assert names == ["connect_tcp", "start_tls", *http11]
        for phase in request.phases:
            assert phase.end_ms is not None
            assert phase.start_ms <= phase.end_ms
            assert phase.ok
    # The started event stands alone only where something happened before the phase ended.
    starts = [e for e in trace.events if isinstance(e, HttpPhase) and e.state == "started"]
    following = {id(e): trace.events[i + 1] for i, e in enumerate(trace.events[:-1])}
    assert all(
        not (
            isinstance(nxt := following[id(e)], HttpPhase)
            and (nxt.request, nxt.phase) == (e.request, e.phase)
        )
        for e in starts
    )
