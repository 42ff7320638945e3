"""The canonical example must tell the documented seven rows, from a real run."""

import pytest
from tracesamples import TraceOf

from visualizer import SCHEMA, Trace

CALL = 'fetch_data("https://api.example.com/data")'
NOT_SET = "(not set)"


@pytest.fixture(scope="module")
def trace(trace_of: TraceOf) -> Trace:
    return trace_of("canonical.py", CALL, "response.text")


pytestmark = pytest.mark.slow


def test_seven_rows_in_the_documented_order(trace: Trace) -> None:
    steps = trace.steps
    assert len(steps) == 7
    assert [s.step for s in steps] == [1, 2, 3, 4, 5, 6, 7]
    assert [s.line for s in steps] == [4, 5, 6, 6, 5, 7, None]
    creates, enters, waits, arrives, leaves, returns, completes = steps

    assert "creates" in creates.result.lower() or "created" in creates.result
    assert "<coroutine fetch_data>" in creates.result
    assert "async with" in enters.action
    assert enters.result == "client = AsyncClient (open)"
    assert waits.action == "Await client.get(url)"
    for phase in ("opening a TCP connection", "the TLS handshake", "sending the request"):
        assert phase in waits.evaluation
    assert "suspends" in waits.evaluation
    assert "event loop is free" in waits.result
    assert "response arrives" in arrives.action.lower()
    assert "resumes" in arrives.action
    assert "response = Response [200 OK]" in arrives.result
    assert "response.text available" in arrives.result
    assert "async with" in leaves.action
    assert "closes" in leaves.evaluation
    assert leaves.result == "client = AsyncClient (closed)"
    assert returns.action == "Return response.text"
    assert "still readable after the client closed" in returns.evaluation
    assert "completes" in completes.action
    assert trace.result is not None
    # The row shows the value short; Trace.result keeps its whole repr.
    shown = completes.result.removeprefix("result: ").removesuffix("…")
    assert completes.result.startswith("result: '{")
    assert trace.result.startswith(shown)
    assert trace.result.endswith("upstream\"}'")


def test_variable_tracker(trace: Trace) -> None:
    rows = list(trace.variables)
    assert all(list(row) == ["url", "client", "response", "response.text"] for row in rows)
    assert {row["url"] for row in rows} == {"'https://api.example.com/data'"}
    assert [row["client"] for row in rows] == [
        NOT_SET,
        "AsyncClient (open)",
        "AsyncClient (open)",
        "AsyncClient (open)",
        "AsyncClient (closed)",
        "AsyncClient (closed)",
        "AsyncClient (closed)",
    ]
    assert [row["response"] for row in rows] == [
        NOT_SET,
        NOT_SET,
        "(awaiting client.get(url))",
        *["Response [200 OK]"] * 4,
    ]
    texts = [row["response.text"] for row in rows]
    assert texts[:3] == [NOT_SET] * 3
    assert all(text.startswith("'{") and "loopscope" in text for text in texts[3:])


def test_contract_fields(trace: Trace) -> None:
    assert trace.schema_version == SCHEMA
    data = trace.model_dump(mode="json")
    assert data["schema"] == SCHEMA
    for key in ("steps", "events", "result", "error", "wall_ms"):
        assert key in data
    assert trace.error is None
    assert trace.stopped is None
    kinds = [event.kind for event in trace.events]
    for kind in (
        "task_start",
        "task_done",
        "suspend",
        "resume",
        "line",
        "io_wait",
        "http",
        "return",
    ):
        assert kind in kinds
    assert all(set(e) >= {"t_ms", "kind", "task", "line", "detail"} for e in data["events"])
    assert [e.t_ms for e in trace.events] == sorted(e.t_ms for e in trace.events)


def test_http_phases_carry_task_and_line(trace: Trace) -> None:
    (request,) = trace.requests
    assert (request.task, request.line, request.method) == (CALL, 6, "GET")
    assert request.url == "https://api.example.com/data"
    assert request.status == "200 OK"
    assert request.phase_names[:3] == ("connect_tcp", "start_tls", "send_request_headers")
    assert trace.tcp_connects == 1


def test_no_memory_addresses_anywhere(trace: Trace) -> None:
    assert "0x" not in trace.model_dump_json()
