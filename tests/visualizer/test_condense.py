"""The fold and its wording, on small synthetic event lists (no run, no timings)."""

from synthetic import (
    CALL,
    MISSING_AWAIT,
    READABLE,
    SOURCE,
    TASK,
    Script,
    canonical,
    closing,
    missing_await,
    opening,
)

from visualizer.contract.events import (
    NOT_SET,
    Blocked,
    FrameEntered,
    IoWait,
    LineRan,
    Suspended,
    TaskStarted,
)
from visualizer.contract.table import variable_states
from visualizer.read.condense import condense, fold
from visualizer.read.rows import IdleRow, StatementRow, TasksRow, WaitRow, WithRow


def test_canonical_events_tell_the_seven_rows() -> None:
    steps = condense(canonical(), source=SOURCE, call=CALL, root="fetch_data")
    assert [s.line for s in steps] == [4, 5, 6, 6, 5, 7, None]
    assert [s.action for s in steps] == [
        f"Call {CALL}",
        "Enter `async with httpx.AsyncClient() as client`",
        "Await client.get(url)",
        "The response arrives (200 OK); fetch_data resumes",
        "Leave the `async with` block",
        "Return response.text",
        f"{CALL} completes",
    ]
    # plain words first: httpcore's own names stay in the events (and behind the player's fold)
    assert (
        "opening a TCP connection, then the TLS handshake, then sending the request"
        in steps[2].evaluation
    )
    assert "connect_tcp" not in steps[2].evaluation
    assert "suspends (3 times)" in steps[2].evaluation


def test_the_client_build_belongs_to_the_async_with_row() -> None:
    rows = fold(canonical(), source=SOURCE, call=CALL, root="fetch_data")
    enter = rows[1]
    assert isinstance(enter, WithRow)
    assert enter.notes.client_ms == [(30.0, None)]  # its CPU on the loop thread, not wall time
    # the row starts when its line began, before the client was built
    line_5 = next(e for e in canonical() if isinstance(e, LineRan) and e.line == 5)
    assert enter.t_ms == line_5.t_ms
    assert (rows[0].t_ms or 0.0) < line_5.t_ms
    steps = condense(canonical(), source=SOURCE, call=CALL, root="fetch_data")
    assert "TLS context" in steps[1].evaluation
    assert "holds the event loop for 30 ms of CPU" in steps[1].evaluation
    assert "TLS context" not in steps[0].evaluation + steps[2].evaluation


def test_wake_reasons_are_counted_whole_even_with_commas_inside() -> None:
    steps = condense(canonical(), source=SOURCE, call=CALL, root="fetch_data")
    assert steps[2].result == (
        "suspended: the event loop is free; it idles 6.0 ms in select(), woken by"
        " a timer (sleep, timeout or call_later) (x2), api.example.com:443 readable"
    )
    assert "(sleep (x2)" not in steps[2].result


def test_variables_change_at_the_step_whose_line_ran() -> None:
    steps = condense(canonical(), source=SOURCE, call=CALL, root="fetch_data")
    states = list(variable_states(steps))
    assert [s["client"] for s in states] == [
        NOT_SET,
        "AsyncClient (open)",
        "AsyncClient (open)",
        "AsyncClient (open)",
        "AsyncClient (closed)",
        "AsyncClient (closed)",
        "AsyncClient (closed)",
    ]
    assert [s["response"] for s in states] == [
        NOT_SET,
        NOT_SET,
        "(awaiting client.get(url))",
        *["Response [200 OK]"] * 4,
    ]
    assert steps[0].changes == {"url": "'u'"}
    assert steps[3].changes == {"response": "Response [200 OK]"}


def test_missing_await_changes_response_only_at_line_6() -> None:
    steps = condense(missing_await(), source=MISSING_AWAIT, call=CALL, root="fetch_data")
    states = list(variable_states(steps))
    (at_6,) = [n for n, s in enumerate(steps) if s.line == 6]
    assert steps[at_6].action == "Run `response = client.get(url)`"
    assert steps[at_6].result == "response = <coroutine AsyncClient.get>"
    assert [s["response"] for s in states[:at_6]] == [NOT_SET] * at_6
    assert states[at_6]["response"] == "<coroutine AsyncClient.get>"
    # elsewhere it is at most declared (not set), never given a value
    assert all(
        s.changes.get("response", NOT_SET) == NOT_SET for n, s in enumerate(steps) if n != at_6
    )


def test_a_known_blocking_call_is_told_with_its_cause() -> None:
    script = opening()
    script.add(LineRan, line=6, frame="fetch_data")
    script.add(Blocked, line=6, frame="fetch_data", ms=200.0, cpu_ms=0.1, cause="sleep")
    script.add(LineRan, line=7, frame="fetch_data")
    rows = fold(script.events, source=SOURCE, call=CALL, root="fetch_data")
    statement = next(r for r in rows if isinstance(r, StatementRow) and r.line == 6)
    assert statement.notes.causes == ["sleep"]
    steps = condense(script.events, source=SOURCE, call=CALL, root="fetch_data")
    row = next(s for s in steps if s.line == 6)
    assert "blocks the event loop for 200 ms (time.sleep() blocks the whole thread)" in (
        row.evaluation
    )


def test_tasks_started_by_one_statement_are_one_row_and_idle_time_a_row_of_its_own() -> None:
    script = Script()
    script.add(TaskStarted, coroutine="<coroutine main>", root=True)
    script.add(FrameEntered, line=1, frame="main", function="main")
    for name in ("one(1)", "one(2)"):
        script.add(TaskStarted, task=name, line=3, coroutine="<coroutine one>", creator=TASK)
    for name in ("one(1)", "one(2)"):
        script.add(FrameEntered, task=name, line=5, frame=f"one#{name[4]}", function="one")
        script.add(LineRan, task=name, line=6, frame=f"one#{name[4]}")
    script.add(IoWait, task=None, ms=5.0)
    script.add(IoWait, task=None, ms=5.0, woken=(READABLE,))
    rows = fold(script.events, source="", call=CALL, root="main")
    started = [r for r in rows if isinstance(r, TasksRow)]
    assert len(started) == 1
    assert started[0].tasks == ["one(1)", "one(2)"]
    idle = [r for r in rows if isinstance(r, IdleRow)]
    assert len(idle) == 1
    assert idle[0].idle_ms == 10.0
    steps = condense(script.events, source="", call=CALL, root="main")
    assert steps[0].action == "Start 2 tasks: one(1), one(2)"


def test_a_wait_the_run_never_finished_says_so() -> None:
    script = opening()
    script.add(LineRan, line=6, frame="fetch_data")
    script.add(Suspended, line=6, on="future")
    rows = fold(script.events, source=SOURCE, call=CALL, root="fetch_data")
    # the await was not opened by the synthetic list, so no wait row: the statement is told
    assert not any(isinstance(r, WaitRow) for r in rows)
    closed = closing(opening())
    assert fold(closed.events, source=SOURCE, call=CALL, root="fetch_data")
