"""The worker writes the contract JSON without pydantic: it must say what ``Trace`` says."""

import json
from typing import Any, get_args

import pytest
from synthetic import canonical, missing_await
from tracesamples import TraceOf

from visualizer import Limits, WorkerFailed
from visualizer.contract.event_words import detail
from visualizer.contract.events import (
    AnyEvent,
    AwaitDone,
    AwaitStarted,
    Caught,
    ErrorText,
    HttpPhase,
    IoWait,
    Raised,
    RequestSent,
    Resumed,
    Returned,
    TaskDone,
    TaskStarted,
    Wake,
    expand,
)
from visualizer.contract.protocol import TRACE
from visualizer.contract.table import ErrorInfo, Step
from visualizer.contract.wire import event_data, plain, trace_json
from visualizer.pool.reply import decode
from visualizer.read.model import Trace

RUNS = [
    ("canonical.py", 'fetch_data("https://api.example.com/data")', ("response.text",)),
    ("timeout.py", "handled()", ()),
    ("timeout.py", "slow()", ()),
    ("blocking.py", "sync_client_inside_async()", ()),
    ("gather.py", "main()", ()),
    ("clients.py", "one_client_per_call(3)", ()),
    ("clients.py", 'get("https://www.python.org/")', ()),
    ("bad_input.py", "boom()", ()),
    ("missing_await.py", 'fetch_data("https://api.example.com/data")', ()),
]
STEP = Step(step=1, line=4, task="t", action="a", evaluation="e", result="r", changes={"x": "1"})


def written(events: list[AnyEvent], **overrides: Any) -> tuple[bytes, Trace]:
    """The same trace from the worker's writer and from pydantic's."""
    parts: dict[str, Any] = {
        "file": "f.py",
        "call": "f()",
        "watch": ("response.text",),
        "root": "f()",
        "steps": (STEP,),
        "events": tuple(events),
        "result": "'ok'",
        "error": None,
        "wall_ms": 12.5,
        "stopped": None,
        "output": "printed\n",
        "warnings": ("a warning",),
    } | overrides
    return trace_json(**parts), Trace.model_construct(**parts)


def test_synthetic_runs_are_written_as_pydantic_writes_them() -> None:
    thrown = ErrorText(type="CancelledError", text="CancelledError('…')")
    extra: list[AnyEvent] = [
        Resumed(t_ms=5.0, task="t", line=3, thrown=thrown),
        Raised(t_ms=5.1, task="t", line=3, frame="f", error=thrown),
        Caught(t_ms=5.2, task="t", line=3, frame="f", error=thrown),
        IoWait(t_ms=6.0, ms=1.5, woken=(Wake(reason="socket", peer="h:443", readable=True),)),
    ]
    error = ErrorInfo(type="ValueError", message="bad ünïcode", line=7)
    for events in (canonical(), missing_await(), extra):
        ours, theirs = written(events, error=error, stopped="time")
        assert json.loads(ours) == json.loads(theirs.model_dump_json())
        assert Trace.model_validate_json(ours).events == tuple(events)


def test_a_writer_that_kept_default_fields_would_be_caught() -> None:
    """The counter-example: the comparison above fails for a writer that skips ``compact``."""
    _ours, theirs = written(canonical())
    careless = [plain(event) | {"detail": detail(event)} for event in canonical()]
    assert json.loads(theirs.model_dump_json())["events"] != careless


def test_every_event_kind_is_in_the_union_pydantic_reads() -> None:
    assert {kind.__name__ for kind in get_args(AnyEvent)} >= {"Resumed", "IoWait", "Caught"}


@pytest.mark.parametrize(("sample", "call", "watch"), RUNS)
def test_real_runs_agree_with_the_model(
    trace_of: TraceOf, sample: str, call: str, watch: tuple[str, ...]
) -> None:
    trace = trace_of(sample, call, *watch)
    as_sent = trace.json_bytes()  # the worker's bytes, kept as they arrived
    assert json.loads(as_sent) == json.loads(trace.model_dump_json())


def test_a_stopped_run_agrees_with_the_model(trace_of: TraceOf) -> None:
    trace = trace_of("bad_input.py", "chatter()", limits=Limits(wall_s=2.0, max_output_bytes=200))
    assert trace.stopped is not None
    assert json.loads(trace.json_bytes()) == json.loads(trace.model_dump_json())


SAID_ONCE: list[AnyEvent] = [
    HttpPhase(t_ms=1.0, task="t", line=3, request=1, scope="connection", phase="connect_tcp",
              host="api.example.com:443"),
    HttpPhase(t_ms=2.0, task="t", line=3, request=1, phase="send_request_body", state="complete",
              ms=0.05),
    HttpPhase(t_ms=3.0, task="t", line=3, request=2, scope="http2",
              phase="receive_response_headers", state="failed"),
    AwaitStarted(t_ms=4.0, task="t", line=3, kind="aenter", frame="f", text="httpx.AsyncClient()",
                 target="client"),
    AwaitDone(t_ms=5.0, task="t", line=3, frame="f", value="Response [200 OK]"),
    AwaitDone(t_ms=5.5, task="t", line=3, frame="f", value="None", end_of_iteration=True),
    Returned(t_ms=6.0, task="t", line=4, frame="f", value="'text'"),
]  # fmt: skip


def test_each_fact_is_written_once_and_read_back_whole() -> None:
    ours, _theirs = written(SAID_ONCE)
    events = json.loads(ours)["events"]
    assert events[0] == {
        "t_ms": 1.0, "task": 0, "line": 3, "kind": "http", "request": 1,
        "detail": "connection.connect_tcp.started api.example.com:443",
    }  # fmt: skip
    assert events[1]["ms"] == 0.05
    assert "phase" not in events[1]
    assert "text" not in events[3]
    assert "value" not in events[4]
    assert "value" not in events[6]
    assert events[5]["value"] == "None"  # "end of iteration" is not the value: it stays
    assert Trace.model_validate_json(ours).events == tuple(SAID_ONCE)


@pytest.mark.parametrize("forged", ["connect_tcp started", "http11..complete", "", "a.b.c.d extra"])
def test_an_http_detail_that_names_no_phase_is_a_malformed_reply(forged: str) -> None:
    """The counter-example: reading back from the detail must reject what is not a name."""
    ours, _ = written(SAID_ONCE[:1])
    data = json.loads(ours)
    data["events"][0]["detail"] = forged
    with pytest.raises(WorkerFailed, match="malformed"):
        decode(TRACE + json.dumps(data).encode(), "f.py")


def test_fields_the_detail_says_are_written_once_and_read_back() -> None:
    sent = RequestSent(t_ms=1.0, task="t", line=3, request=1, method="POST", url="https://a/b")
    started = TaskStarted(t_ms=2.0, task="f(1)", coroutine="<coroutine f>", creator="main()")
    done = TaskDone(t_ms=3.0, task="f(1)", outcome="returned", value="200")
    for event, said in ((sent, "url"), (started, "creator"), (done, "value")):
        data = event_data(event)
        assert said not in data
        assert Trace.model_validate_json(written([event])[0]).events == (event,)


def test_a_detail_that_does_not_say_its_fields_is_refused() -> None:
    """The counter-example: a response event whose detail names no status cannot be read."""
    data = {"t_ms": 1.0, "task": "t", "line": None, "kind": "response", "request": 1}
    with pytest.raises(ValueError, match="does not say its fields"):
        expand(data | {"detail": "something else"})


def _same_trace(again: Trace, before: Trace) -> None:
    """What a reader sees: every row and record, field by field."""
    assert again.steps == before.steps
    assert again.events == before.events
    assert again.request_entries == before.request_entries
    assert (again.result, again.error, again.cut) == (before.result, before.error, before.cut)


def test_task_names_and_repeated_details_are_written_once_and_read_back(
    trace_of: TraceOf,
) -> None:
    """Schema 5: a row's task is an index into ``tasks``, a detail that repeats one into
    ``details``; reading puts back the names in steps, events and requests alike."""
    trace = trace_of("gather.py", "main()")
    data = json.loads(trace.json_bytes())
    names = {event.task for event in trace.events} | {step.task for step in trace.steps}
    assert sorted(data["tasks"]) == sorted(names - {None})  # each name once
    rows = [*data["steps"], *data["events"], *data["requests"]]
    assert all(row["task"] is None or type(row["task"]) is int for row in rows)
    assert len(data["details"]) == len(set(data["details"]))
    said = [event["detail"] for event in data["events"]]
    assert sum(type(text) is int for text in said) > len(data["details"])  # reused, not copied
    assert all(type(text) is int for text in said if said.count(text) > 1)
    _same_trace(Trace.from_json(trace.json_bytes()), trace)
    _same_trace(Trace.from_json(trace.model_dump_json()), trace)
    # The requests keep their tasks' names, and the steps theirs, once read.
    again = Trace.from_json(trace.json_bytes())
    assert {entry.task for entry in again.request_entries} <= names
    assert {step.task for step in again.steps} == {step.task for step in trace.steps}


def test_an_index_outside_its_table_is_a_malformed_reply() -> None:
    """The counter-example: a task or detail index that names nothing is refused."""
    ours, _ = written(canonical())
    for key, forged in (("task", 99), ("detail", 99), ("task", -1)):
        data = json.loads(ours)
        data["events"][0][key] = forged
        with pytest.raises(WorkerFailed, match="malformed"):
            decode(TRACE + json.dumps(data).encode(), "f.py")
