"""The fold on synthetic events of several tasks: where changes are told, rows in time order,
waits told as waits, requests that waited in the pool, failed, were cancelled or ran in a
worker thread."""

from __future__ import annotations

from synthetic import Script

from visualizer.contract.events import (
    AnyEvent,
    AwaitDone,
    AwaitStarted,
    Caught,
    ClientCreated,
    ErrorText,
    FrameEntered,
    HttpPhase,
    LineRan,
    Raised,
    RequestSent,
    ResponseArrived,
    Resumed,
    Returned,
    Suspended,
    TaskDone,
    TaskStarted,
    TransportBuilt,
    Yielded,
)
from visualizer.contract.table import Step
from visualizer.read.analysis import find_requests, request_entries, task_states
from visualizer.read.condense import condense

SOURCE = """\
import asyncio


async def main():
    ids = []
    async with asyncio.TaskGroup() as tg:
        tg.create_task(work(ids))
    for n in range(2):
        ids.append(n)
    try:
        await asyncio.sleep(1)
    except TimeoutError as exc:
        ids.append(1)
    return ids


async def work(ids):
    ids.append(0)
    await asyncio.sleep(0)
"""
ROOT = "main()"
WORK = "work(ids)"
URL = "https://api.example.com/delay/1"


def steps(events: list[AnyEvent], source: str = SOURCE) -> list[Step]:
    return condense(events, source=source, call=ROOT, root="main")


def started() -> Script:
    script = Script()
    script.add(TaskStarted, task=ROOT, coroutine="<coroutine main>", root=True)
    script.add(FrameEntered, task=ROOT, line=4, frame="main", function="main")
    return script


def test_a_change_goes_to_its_own_frames_row_not_to_another_tasks() -> None:
    """main's awaiting marker arrives, then another task starts running before main's wait row:
    the marker belongs to main's row, never to the other task's "starts running" row."""
    script = started()
    script.add(LineRan, task=ROOT, line=5, frame="main")
    script.add(LineRan, task=ROOT, line=6, frame="main", changes={"ids": "[]"})
    script.add(AwaitStarted, task=ROOT, kind="aenter", line=6, frame="main",
               text="asyncio.TaskGroup()", target="tg")  # fmt: skip
    script.add(AwaitDone, task=ROOT, line=6, frame="main", value="<TaskGroup>",
               changes={"tg": "<TaskGroup>"})  # fmt: skip
    script.add(LineRan, task=ROOT, line=7, frame="main")
    script.add(TaskStarted, task=WORK, line=7, coroutine="<coroutine work>", creator=ROOT)
    created = {"tg": "<TaskGroup tasks=1>"}
    script.add(AwaitStarted, task=ROOT, kind="aexit", line=6, frame="main",
               text="asyncio.TaskGroup()", target="tg", before=created)  # fmt: skip
    script.add(Suspended, task=ROOT, line=6, on="future", waiting_on="tasks")
    script.add(FrameEntered, task=WORK, line=17, frame="work#1", function="work",
               changes={"ids": "[]"})  # fmt: skip
    script.add(LineRan, task=WORK, line=18, frame="work#1")
    script.add(LineRan, task=WORK, line=19, frame="work#1", changes={"ids": "[0]"})
    rows = steps(script.events)
    runs = next(row for row in rows if row.task == WORK and "starts running" in row.action)
    assert runs.changes == {"work#1.ids": "[]"}  # its parameter, bound at the call
    append = next(row for row in rows if row.line == 18)
    assert append.changes == {"work#1.ids": "[0]"}  # the mutation, at the line that made it
    create = next(row for row in rows if row.line == 7 and row.action.startswith("Run"))
    assert create.changes == {"tg": "<TaskGroup tasks=1>"}  # told by the await's `before`
    assert not any(k.startswith("work") for row in rows if row.task == ROOT for k in row.changes)


def test_leaving_a_taskgroup_waits_and_its_exception_group_comes_after_the_tasks() -> None:
    script = started()
    script.add(LineRan, task=ROOT, line=6, frame="main")
    script.add(AwaitStarted, task=ROOT, kind="aexit", line=6, frame="main",
               text="asyncio.TaskGroup()", target="tg")  # fmt: skip
    script.add(Suspended, task=ROOT, line=6, on="future", waiting_on="tasks")
    script.add(TaskDone, task=WORK, outcome="raised", value="ValueError('x')")
    group = "ExceptionGroup('unhandled errors in a TaskGroup', [ValueError('x')])"
    script.add(Resumed, task=ROOT, line=6)
    script.add(Raised, task=ROOT, line=6, frame="main",
               error=ErrorText(type="ExceptionGroup", text=group))  # fmt: skip
    rows = steps(script.events)
    leave = next(row for row in rows if row.action.startswith("Leave"))
    assert leave.waiting
    assert leave.waiting_on == "tasks"
    assert "ExceptionGroup" not in leave.result
    ended = next(row for row in rows if row.task == WORK)
    raised = next(row for row in rows if "ExceptionGroup" in row.evaluation)
    assert leave.step < ended.step < raised.step


def test_rows_are_sorted_by_when_they_began() -> None:
    """A statement's row is told when its frame reaches its next probe, but it began earlier:
    a row another task added meanwhile comes after it."""
    script = started()
    script.add(LineRan, task=ROOT, line=5, frame="main")
    script.add(TaskStarted, task=WORK, line=5, coroutine="<coroutine work>", creator=ROOT)
    script.add(LineRan, task=ROOT, line=6, frame="main", changes={"ids": "[]"})
    rows = steps(script.events)
    assert [row.t_ms for row in rows] == sorted(row.t_ms or 0 for row in rows)
    assert [row.line for row in rows] == [5, 5, 6]
    assert rows[0].action.startswith("Run")
    assert rows[1].action.startswith("Start task")


def test_a_for_loop_binding_is_a_row_of_the_for_line() -> None:
    script = started()
    script.add(LineRan, task=ROOT, line=8, frame="main")
    script.add(LineRan, task=ROOT, line=9, frame="main", changes={"n": "0"})
    script.add(LineRan, task=ROOT, line=9, frame="main", changes={"n": "1", "ids": "[0]"})
    script.add(LineRan, task=ROOT, line=10, frame="main", changes={"ids": "[0, 1]"})
    rows = steps(script.events)
    told = [(row.line, row.changes) for row in rows]
    assert told == [
        (8, {"n": "0"}),
        (9, {"ids": "[0]"}),
        (8, {"n": "1"}),
        (9, {"ids": "[0, 1]"}),
        (10, {}),
    ]


def test_except_as_binds_at_the_except_row_and_other_changes_are_only_seen() -> None:
    script = started()
    script.add(LineRan, task=ROOT, line=11, frame="main")
    script.add(AwaitStarted, task=ROOT, kind="await", line=11, frame="main",
               text="asyncio.sleep(1)")  # fmt: skip
    script.add(Suspended, task=ROOT, line=11, on="future", waiting_on="sleep")
    script.add(Resumed, task=ROOT, line=11)
    script.add(Raised, task=ROOT, line=11, frame="main",
               error=ErrorText(type="TimeoutError", text="TimeoutError()"))  # fmt: skip
    script.add(Caught, task=ROOT, line=12, frame="main",
               changes={"exc": "TimeoutError()", "ids": "[9]"})  # fmt: skip
    rows = steps(script.events)
    caught = next(row for row in rows if "catches" in row.action)
    assert caught.changes == {"exc": "TimeoutError()"}
    assert caught.seen_changed == {"ids": "[9]"}
    wait = next(row for row in rows if row.waiting)
    assert wait.waiting_on == "sleep"


def test_the_return_row_tells_what_the_last_statement_did() -> None:
    """The body runs to its end: the implicit return's probe reports the last statement's
    change, which goes to that statement's row (not "no variable changes")."""
    script = started()
    script.add(FrameEntered, task=WORK, line=17, frame="work#1", function="work")
    script.add(LineRan, task=WORK, line=18, frame="work#1")
    script.add(Returned, task=WORK, line=19, frame="work#1", value="None",
               changes={"ids": "[0]"})  # fmt: skip
    rows = steps(script.events)
    append = next(row for row in rows if row.line == 18)
    assert append.changes == {"work#1.ids": "[0]"}
    assert append.result == "ids = [0]"


def test_what_an_await_line_does_after_the_await_stays_on_its_row() -> None:
    source = "async def main():\n    ids.append(await f())\n    x = 1\n"
    script = started()
    script.add(LineRan, task=ROOT, line=2, frame="main")
    script.add(AwaitStarted, task=ROOT, kind="await", line=2, frame="main", text="f()")
    script.add(AwaitDone, task=ROOT, line=2, frame="main", value="3")
    script.add(LineRan, task=ROOT, line=3, frame="main", changes={"ids": "[3]", "other": "1"})
    rows = steps(script.events, source)
    awaited = next(row for row in rows if row.line == 2)
    assert awaited.changes == {"ids": "[3]"}
    assert rows[-1].seen_changed == {"other": "1"}


def pooled(outcome: str) -> list[AnyEvent]:
    """A gathered client.get that waits for a pooled connection, then ends as ``outcome``."""
    task = "AsyncClient.get(url)"
    script = started()
    script.add(TaskStarted, task=task, line=6, coroutine="<coroutine get>", creator=ROOT)
    script.add(RequestSent, task=task, request=1, url=URL)
    wait = {"scope": "connection_pool", "phase": "wait_for_connection"}
    script.add(HttpPhase, task=task, request=1, state="started", **wait)
    if outcome == "timeout":
        script.add(HttpPhase, task=task, request=1, state="failed", error="PoolTimeout", **wait)
        script.add(TaskDone, task=task, outcome="raised", value="PoolTimeout('')")
        return script.events
    script.add(HttpPhase, task=task, request=1, state="complete", **wait)
    script.add(HttpPhase, task=task, request=1, phase="send_request_headers", ms=1.0,
               state="complete")  # fmt: skip
    script.add(HttpPhase, task=task, request=1, phase="receive_response_headers")
    if outcome == "cancelled":
        script.add(HttpPhase, task=task, request=1, phase="receive_response_headers",
                   state="failed", error="CancelledError")  # fmt: skip
        script.add(HttpPhase, task=task, request=1, scope="connection", phase="close",
                   state="complete", ms=0.0)  # fmt: skip
        script.add(TaskDone, task=task, outcome="cancelled")
        return script.events
    script.add(HttpPhase, task=task, request=1, phase="receive_response_headers",
               state="complete")  # fmt: skip
    script.add(ResponseArrived, task=task, request=1, status_code=200, reason="OK")
    script.add(TaskDone, task=task, outcome="returned", value="Response [200 OK]")
    return script.events


def test_a_request_that_waited_in_the_pool() -> None:
    (entry,) = request_entries(pooled("response"))
    assert entry.on_wire
    assert entry.outcome == "response"
    assert entry.status == 200
    assert entry.pool_wait_ms > 0
    assert entry.line == 6  # the line that started its task
    rows = steps(pooled("response"))
    asks = next(row for row in rows if " asks for " in row.action)
    assert asks.waiting
    assert asks.waiting_on == "pool"
    assert asks.evaluation.startswith(
        "the task runs the request: waiting for a free connection in the pool, then"
    )


def test_a_pool_timeout_is_never_on_the_wire() -> None:
    (entry,) = request_entries(pooled("timeout"))
    assert not entry.on_wire
    assert entry.outcome == "error"
    assert entry.error == "PoolTimeout"
    assert entry.ended_in == "wait_for_connection"
    (record,) = find_requests(pooled("timeout"))
    assert not record.went_out  # the judge does not count it as an upstream request
    rows = steps(pooled("timeout"))
    asks = next(row for row in rows if " asks for " in row.action)
    assert "PoolTimeout while waiting for a free connection in the pool" in asks.evaluation
    assert "never on the wire" in asks.evaluation


def test_a_cancelled_request_is_told_as_cancelled_with_its_phase_and_closed_connection() -> None:
    (entry,) = request_entries(pooled("cancelled"))
    assert entry.outcome == "cancelled"
    assert entry.closed
    assert entry.error is None
    assert entry.ended_in == "receive_response_headers"
    rows = steps(pooled("cancelled"))
    asks = next(row for row in rows if " asks for " in row.action)
    assert "cancelled while waiting for the answer, and its connection is closed" in (
        asks.evaluation
    )
    assert "releasing the connection" not in asks.evaluation


def test_a_library_task_waits_on_its_request_in_the_loop_panel() -> None:
    events = pooled("response")
    pool_start = next(e for e in events if isinstance(e, HttpPhase))
    states = {s.task: s for s in task_states(events, until_ms=pool_start.t_ms + 0.5)}
    assert states["AsyncClient.get(url)"].state == "waiting"
    assert states["AsyncClient.get(url)"].on == "pool"


def test_a_worker_threads_request_and_client_are_its_own() -> None:
    lane = "thread asyncio_0"
    script = started()
    script.add(ClientCreated, task=lane, line=3, client=1, sync=True, ms=20.0, cpu_ms=18.0,
               thread="asyncio_0")  # fmt: skip
    script.add(RequestSent, task=lane, line=4, request=1, url=URL, sync=True, thread="asyncio_0")
    script.add(ResponseArrived, task=lane, request=1, status_code=200, reason="OK")
    (entry,) = request_entries(script.events)
    assert entry.thread == "asyncio_0"
    assert entry.task is None
    rows = steps(script.events)
    sends = next(row for row in rows if row.task == lane)
    assert sends.line == 4


def test_a_transport_built_by_a_line_is_that_lines_cost() -> None:
    source = "async def main():\n    t = make()\n    x = 1\n"
    script = started()
    script.add(LineRan, task=ROOT, line=2, frame="main")
    script.add(TransportBuilt, task=ROOT, line=2, ms=15.0, cpu_ms=14.0, retries=2)
    script.add(LineRan, task=ROOT, line=3, frame="main", changes={"t": "<transport>"})
    rows = steps(script.events, source)
    built = next(row for row in rows if row.line == 2)
    assert "building the transport loads its TLS context (the CA bundle): 14 ms" in (
        built.evaluation
    )


def test_an_awaiting_marker_is_not_taken_by_a_task_that_starts_meanwhile() -> None:
    """Task A's ``r = await …`` shows ``(awaiting …)``; its bare yield is recorded when it is
    back, after task B started running: B's "starts running" row carries only B's parameters."""
    source = "async def a():\n    r = await asyncio.sleep(0)\n\n\nasync def b(n):\n    pass\n"
    script = started()
    script.add(TaskStarted, task="a()", line=1, coroutine="<coroutine a>", creator=ROOT)
    script.add(TaskStarted, task="b(1)", line=1, coroutine="<coroutine b>", creator=ROOT)
    script.add(FrameEntered, task="a()", line=1, frame="a#1", function="a")
    script.add(LineRan, task="a()", line=2, frame="a#1")
    script.add(AwaitStarted, task="a()", kind="await", line=2, frame="a#1",
               text="asyncio.sleep(0)", target="r")  # fmt: skip
    script.add(FrameEntered, task="b(1)", line=5, frame="b#1", function="b",
               changes={"n": "1"})  # fmt: skip
    script.add(Yielded, task="a()", line=2, ms=1.5)
    rows = steps(script.events, source)
    runs = next(row for row in rows if row.task == "b(1)")
    assert runs.changes == {"b#1.n": "1"}
    wait = next(row for row in rows if row.task == "a()" and row.waiting)
    assert wait.changes == {"a#1.r": "(awaiting asyncio.sleep(0))"}
