"""Real runs of programs with many tasks (samples/many.py): what their traces mean.

Each test reads the trace's typed records (``requests``, steps' ``waiting_on``, ``changes``,
``seen_changed``, ``t_ms``), never a timing: only the order of things and their kinds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tracesamples import TraceOf

from visualizer import Trace
from visualizer.contract.table import Step
from visualizer.read.analysis import RequestEntry, task_states

SAMPLE = "many.py"
SOURCE = (Path(__file__).parent / "samples" / SAMPLE).read_text().splitlines()


def line_of(text: str, after: str = "") -> int:
    """The line of ``many.py`` that holds ``text`` (the first after the one holding ``after``)."""
    start = next(n for n, line in enumerate(SOURCE) if after in line) if after else 0
    return next(n for n, line in enumerate(SOURCE[start:], start + 1) if text in line)


def entries(trace: Trace) -> tuple[RequestEntry, ...]:
    return trace.request_entries


def rows_of(trace: Trace, task_part: str) -> list[Step]:
    return [step for step in trace.steps if step.task is not None and task_part in step.task]


def test_rows_are_in_time_order_and_every_row_has_a_time(trace_of: TraceOf) -> None:
    for call in ("taskgroup_failure()", "pool_limited()", "thread_fetch()", "queue_workers()"):
        steps = trace_of(SAMPLE, call).steps
        times = [step.t_ms for step in steps]
        assert None not in times, call
        assert times == sorted(times), call  # type: ignore[type-var]


def test_a_pool_wait_is_not_a_request_on_the_wire(trace_of: TraceOf) -> None:
    trace = trace_of(SAMPLE, "pool_limited()")
    found = entries(trace)
    assert len(found) == 4
    waited = [entry for entry in found if entry.pool_wait_ms > 0]
    assert len(waited) == 2  # max_connections=2: two of four wait for a connection
    assert all(entry.on_wire and entry.outcome == "response" for entry in found)
    # the rows say which tasks waited for the pool, and the others the network
    sends = [step for step in trace.steps if step.action.split(" sends ")[0] != step.action]
    asks = [step for step in trace.steps if " asks for " in step.action]
    assert [step.waiting_on for step in asks] == ["pool", "pool"]
    assert {step.waiting_on for step in sends} == {"network"}
    assert all("waiting for a free connection in the pool" in s.evaluation for s in asks)
    assert trace.max_in_flight == 2  # a pool wait is not in flight


def test_a_pool_timeout_never_goes_on_the_wire(trace_of: TraceOf) -> None:
    trace = trace_of(SAMPLE, "pool_timeout()")
    found = entries(trace)
    timed_out = [entry for entry in found if entry.error == "PoolTimeout"]
    assert len(timed_out) == 2
    assert all(not entry.on_wire and entry.outcome == "error" for entry in timed_out)
    assert all(entry.ended_in == "wait_for_connection" for entry in timed_out)
    asks = [step for step in trace.steps if " asks for " in step.action]
    assert len(asks) == 2
    assert all("never on the wire" in step.evaluation for step in asks)
    assert not any(" sends " in step.action for step in asks)


def test_a_taskgroup_failure_is_told_after_the_tasks_that_raised(trace_of: TraceOf) -> None:
    trace = trace_of(SAMPLE, "taskgroup_failure()")
    steps = trace.steps
    leave = next(
        s
        for s in steps
        if s.line == line_of("asyncio.TaskGroup() as tg") and s.action.startswith("Leave")
    )
    assert leave.waiting
    assert leave.waiting_on == "tasks"
    assert "ExceptionGroup" not in leave.result  # it waits there; it raises later
    group = next(
        s
        for s in steps
        if "ExceptionGroup" in s.evaluation and s.line == line_of("asyncio.TaskGroup() as tg")
    )
    failed = next(s for s in steps if s.action.startswith("Task fetch") and "raised" in s.result)
    cancelled = next(s for s in steps if s.result == "cancelled")
    assert failed.step < group.step
    assert cancelled.step < group.step
    # the cancelled request is told as cancelled, with its phase and its closed connection
    delayed = next(e for e in entries(trace) if e.url.endswith("/delay/0.1"))
    assert delayed.outcome == "cancelled"
    assert delayed.closed
    assert delayed.ended_in == "receive_response_headers"
    waits = [s for s in steps if s.waiting_on == "network" and "delay/0.1" in s.evaluation]
    assert "cancelled while waiting for the answer" in waits[0].evaluation
    assert "releasing the connection" not in waits[0].evaluation


def test_changes_are_told_at_their_own_line_and_task(trace_of: TraceOf) -> None:
    trace = trace_of(SAMPLE, "taskgroup_failure()")
    for step in trace.steps:
        for name in step.changes:
            owner = name.split(".")[0] if "." in name else None
            if owner is not None and owner.startswith("fetch#"):
                # a fetch frame's variables change only on rows of a fetch task
                assert (step.task or "").startswith("fetch("), step
    caught = next(s for s in trace.steps if "catches it" in s.action)
    assert "group" in caught.changes  # `except* … as group` binds at the except line
    assert "tg" not in caught.changes  # the TaskGroup changed while it waited: seen, not made


def test_a_for_loop_binds_at_its_own_line(trace_of: TraceOf) -> None:
    steps = trace_of(SAMPLE, "queue_workers()").steps
    header = [s for s in steps if s.line == line_of("for _ in range(3):")]
    assert [s.changes.get("_") for s in header] == ["0", "1", "2"]
    body = [s for s in steps if s.line == line_of("queue.put_nowait(DELAY)")]
    assert all("_" not in s.changes for s in body)


def test_a_shared_object_changes_at_the_line_that_changed_it(trace_of: TraceOf) -> None:
    steps = trace_of(SAMPLE, "queue_workers()").steps
    appends = [s for s in steps if s.line == line_of("statuses.append(")]
    assert len(appends) == 3
    assert all(any(k.endswith(".statuses") for k in s.changes) for s in appends)
    # the root's `statuses` is the same list: it is seen changed, not changed by its own line
    assert not any(
        "statuses" in s.changes
        for s in steps
        if s.line in (line_of("await queue.join()"), line_of("gather(*workers)"))
    )
    assert any("statuses" in s.seen_changed for s in steps)


def test_a_mutation_is_told_at_its_statement_not_the_next(trace_of: TraceOf) -> None:
    steps = trace_of(SAMPLE, "stream_lines()").steps
    appends = [s for s in steps if s.line == line_of("ids.append(")]
    assert len(appends) == 3
    assert all("ids" in s.changes for s in appends)
    assert not any("ids" in s.changes for s in steps if s.line == line_of("if line:"))


def test_a_semaphore_wait_is_a_wait_with_a_resume(trace_of: TraceOf) -> None:
    steps = trace_of(SAMPLE, "semaphore_gather()").steps
    waits = [s for s in steps if s.waiting_on == "semaphore"]
    assert len(waits) == 1  # Semaphore(2), three tasks: the third waits
    resumed = [s for s in steps if "sem.__aenter__() completes" in s.evaluation]
    assert len(resumed) == 1
    assert resumed[0].task == waits[0].task
    assert resumed[0].step > waits[0].step


def test_to_thread_work_runs_in_a_thread_lane(trace_of: TraceOf) -> None:
    trace = trace_of(SAMPLE, "thread_fetch()")
    (request,) = entries(trace)
    assert request.thread is not None
    assert request.task is None
    assert request.outcome == "response"
    assert request.status == 200
    lane = [s for s in trace.steps if s.task == f"thread {request.thread}"]
    assert any("Worker thread" in s.action for s in lane)
    assert any(
        s.line == line_of("response = client.get(url)") for s in lane
    )  # its request has its row, in its lane
    assert not any("holds the event loop" in s.evaluation for s in lane)
    assert not trace.blocked  # a worker thread never raises a stall
    assert trace.building_ms == 0  # its client was built on the worker thread
    wait = next(
        s for s in trace.steps if s.line == line_of("asyncio.to_thread(sync_fetch") and s.waiting
    )
    assert wait.waiting_on == "thread"


def test_a_stall_beside_a_busy_thread_is_reported(trace_of: TraceOf) -> None:
    trace = trace_of(SAMPLE, "stall_beside_thread()")
    assert [(stall.line, stall.cause) for stall in trace.blocked] == [
        (line_of("return sum(", after="def spin"), "cpu")
    ]
    assert not any(stall.task and stall.task.startswith("thread ") for stall in trace.blocked)


def test_a_cpu_hog_is_a_stall_at_its_line(trace_of: TraceOf) -> None:
    trace = trace_of(SAMPLE, "cpu_hog()")
    assert [(stall.line, stall.cause) for stall in trace.blocked] == [
        (line_of("total = sum("), "cpu")
    ]


def test_transport_retries_are_each_an_attempt_and_the_ca_cost_is_its_line(
    trace_of: TraceOf,
) -> None:
    trace = trace_of(SAMPLE, "transport_retries()")
    (request,) = entries(trace)
    assert request.outcome == "error"
    assert request.error == "ConnectError"
    assert not request.on_wire
    assert [attempt.ok for attempt in request.connects] == [False, False, False]
    built = next(s for s in trace.steps if s.line == line_of("AsyncHTTPTransport(retries=2)"))
    assert "building the transport loads its TLS context" in built.evaluation
    client = next(s for s in trace.steps if s.line == line_of("AsyncClient(transport=transport)"))
    assert "holds the event loop" not in client.evaluation


def test_cancelling_an_in_flight_request_closes_its_connection(trace_of: TraceOf) -> None:
    trace = trace_of(SAMPLE, "cancel_in_flight()")
    (request,) = entries(trace)
    assert request.outcome == "cancelled"
    assert request.on_wire
    assert request.closed
    assert request.status is None


def test_wait_for_and_a_deadline_cancel_their_requests(trace_of: TraceOf) -> None:
    for call in ("with_wait_for()", "deadline_gather()"):
        found = entries(trace_of(SAMPLE, call))
        assert found, call
        assert all(e.outcome == "cancelled" for e in found), call


def test_return_exceptions_keeps_each_outcome(trace_of: TraceOf) -> None:
    found = entries(trace_of(SAMPLE, "return_exceptions()"))
    outcomes = sorted((e.outcome or "", e.error or "") for e in found)
    assert outcomes == [("error", "ConnectError"), ("response", "")]


def test_two_clients_with_their_own_limits(trace_of: TraceOf) -> None:
    found = entries(trace_of(SAMPLE, "two_clients()"))
    narrow = [e for e in found if e.client == min(x.client or 0 for x in found)]
    wide = [e for e in found if e not in narrow]
    assert sum(e.pool_wait_ms > 0 for e in narrow) == 1  # max_connections=1
    assert all(e.pool_wait_ms == 0 for e in wide)


def test_gathered_requests_point_at_the_line_that_started_them(trace_of: TraceOf) -> None:
    trace = trace_of(SAMPLE, "completed_first()")
    assert {e.line for e in entries(trace)} == {line_of("asyncio.as_completed(pending)")}
    sends = [s for s in trace.steps if " sends " in s.action]
    assert sends
    assert all(s.line == line_of("asyncio.as_completed(pending)") for s in sends)


def test_shield_redirect_and_streaming_keep_their_requests(trace_of: TraceOf) -> None:
    (shielded,) = entries(trace_of(SAMPLE, "shielded()"))
    assert shielded.outcome == "response"  # the shield kept it going past the timeout
    redirect = entries(trace_of(SAMPLE, "redirect()"))
    assert [e.status for e in redirect] == [302, 200]
    (streamed,) = entries(trace_of(SAMPLE, "stream_lines()"))
    assert streamed.outcome == "response"
    assert streamed.line == line_of("client.stream(")


def test_the_loop_panel_says_what_a_library_task_waits_on(trace_of: TraceOf) -> None:
    trace = trace_of(SAMPLE, "pool_timeout()")
    asks = next(s for s in trace.steps if " asks for " in s.action)
    later = next(s for s in trace.steps if s.step > asks.step and s.task is None)
    states = {state.task: state for state in task_states(trace.events, until_ms=later.t_ms or 0)}
    assert states[asks.task or ""].on == "pool"


@pytest.mark.parametrize("call", ["pool_limited()", "thread_fetch()"])
def test_the_json_lists_the_requests(trace_of: TraceOf, call: str) -> None:
    trace = trace_of(SAMPLE, call)
    data = json.loads(trace.json_bytes())
    assert [entry["id"] for entry in data["requests"]] == [r.number for r in trace.requests]
    keys = {"id", "task", "client", "method", "url", "thread", "on_wire", "pool_wait_ms"}
    keys |= {"outcome", "status", "error", "t_start_ms", "t_end_ms"}
    assert all(keys <= entry.keys() for entry in data["requests"])
    assert all("t_ms" in step for step in data["steps"])
    # waiting_on is written for the rows that wait (left out, as null, for the others)
    assert {step.get("waiting_on") for step in data["steps"] if step["waiting"]} <= {
        "network",
        "pool",
        "tasks",
        "thread",
    }
    assert any("waiting_on" in step for step in data["steps"])
