"""The words of each execution-table row, made from the typed rows of ``visualizer.read.condense``.

    >>> words(HeldRow(line=7, task="t", ms=200.0, cause="sleep"))[1]
    'line 7 holds the event loop for 200 ms: time.sleep() blocks the thread'

One function per kind of row; all wording of the table lives here and nowhere else.
"""

from __future__ import annotations

from visualizer.contract.event_words import (
    CAUSES,
    LIMITS,
    WAITING_ON,
    counted,
    plain_phases,
    waits_on,
)
from visualizer.read.rows import (
    AnyRow,
    AwaitNowRow,
    CallRow,
    CaughtRow,
    DelegateRow,
    FailRow,
    GaveRow,
    HeldRow,
    IdleRow,
    MoreRow,
    NextRow,
    Notes,
    PrintRow,
    ResumeRow,
    ReturnRow,
    SendsRow,
    StatementRow,
    StopRow,
    TaskEndRow,
    TaskRunsRow,
    TasksRow,
    UnwindRow,
    WaitRow,
    WarnRow,
    WithRow,
)
from visualizer.worker.recorder import thread_of

Words = tuple[str, str, str]


def times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def told(notes: Notes) -> str:
    """What happened besides the row's own effect: clients built, stalls, prints."""
    parts: list[str] = []
    for ms in notes.transport_ms:
        parts.append(
            f"building the transport loads its TLS context (the CA bundle): {ms:.0f} ms of CPU"
            " on the event loop's thread"
        )
    for ms, thread in notes.client_ms:
        if thread is not None:
            parts.append(
                f"building the client loads its TLS context (the CA certificates): {ms:.0f} ms"
                f" of CPU on worker thread {thread}, while the event loop keeps running"
            )
            continue
        if ms < 1.0:  # nothing to tell (its transport, built beforehand, was that line's cost)
            continue
        parts.append(
            f"building the client loads its TLS context (the CA certificates): this holds the"
            f" event loop for {ms:.0f} ms of CPU, a reason to build one client and share it"
        )
    if notes.blocked_ms:
        why = ", ".join(dict.fromkeys(CAUSES[cause] for cause in notes.causes))
        parts.append(
            f"it blocks the event loop for {notes.blocked_ms:.0f} ms ({why}): no other task can run"
        )
    if notes.printed:
        parts.append("prints " + ", ".join(repr(text) for text in notes.printed[:3]))
    for line, ms in notes.held_later:
        parts.append(f"line {line} then holds the event loop for {ms:.0f} ms")
    return "; ".join(parts)


def _with(base: str, notes: Notes) -> str:
    extra = told(notes)
    if not extra:
        return base
    return f"{base}; {extra}" if base else extra


def _assigned(pairs: list[tuple[str, str]]) -> str:
    parts = [f"{name} = {value}" for name, value in pairs if "." not in name]
    parts += [f"{name} available: {value}" for name, value in pairs if "." in name]
    return "; ".join(parts)


def _request(notes: Notes) -> str:
    what = ", ".join(notes.requests)
    return f"{what} ({phases(notes)})" if notes.phases else what


def phases(notes: Notes) -> str:
    """The request's phases in plain words, with its connect attempts and how it ended when it
    did not end with a response: ``waiting for the answer: cancelled there``."""
    names = notes.phases
    if notes.failed:
        names = [name for name in names if name != "response_closed"]
    said = plain_phases(names)
    if notes.connects > 1:
        said += f" ({notes.connects} connect attempts)"
    if notes.failed:
        phase, error = notes.failed[-1]
        ending = "cancelled" if error == "CancelledError" else error
        said += f"; {ending} while {plain_phases([phase])}"
        if notes.closed:
            said += ", and its connection is closed"
        elif phase == "wait_for_connection":
            said += ", never on the wire"
    return said


def words(row: AnyRow) -> Words:
    """``(action, evaluation, result)`` of ``row``."""
    match row:
        case CallRow():
            return (
                f"Call {row.call}",
                f"{row.function} is an async def function: calling it runs none of its body yet",
                f"A coroutine object is created: {row.coroutine}",
            )
        case TasksRow():
            when = f"the loop starts {'it' if len(row.tasks) == 1 else 'them'} when {row.creator}"
            if len(row.tasks) == 1:
                return (
                    f"Start task {row.tasks[0]}",
                    _with(f"{row.coroutine} is wrapped in a task; {when} next suspends", row.notes),
                    "scheduled, not running yet",
                )
            return (
                f"Start {len(row.tasks)} tasks: {', '.join(row.tasks)}",
                _with(f"each coroutine is wrapped in a task; {when} next suspends", row.notes),
                "scheduled, not running yet",
            )
        case TaskRunsRow() if thread_of(row.task) is not None:
            return (
                f"Worker thread {thread_of(row.task)} runs {row.entered}",
                _with(
                    "the call was handed to a worker thread (asyncio.to_thread or"
                    " run_in_executor): it runs beside the event loop, never on it",
                    row.notes,
                ),
                "running in its thread",
            )
        case TaskRunsRow():
            return (
                f"Task {row.task} starts running",
                _with(f"the event loop runs the task's coroutine: {row.entered}", row.notes),
                "running",
            )
        case StatementRow():
            return _statement(row)
        case WithRow():
            return _with_block(row)
        case WaitRow():
            return _wait(row)
        case ResumeRow():
            action = (
                f"The response arrives ({row.status}); {row.frame} resumes"
                if row.status
                else f"{row.frame} resumes"
            )
            return (
                action,
                _with(
                    f"{row.text} completes, so {row.frame} continues at line {row.line}", row.notes
                ),
                _assigned(row.assigned) or f"value: {row.value}",
            )
        case AwaitNowRow():
            return (
                f"Await {row.text}",
                _with("it finishes without suspending", row.notes),
                _assigned(row.assigned) or f"value: {row.value}",
            )
        case DelegateRow():
            return (
                f"Await {row.text}",
                _with(
                    f"a coroutine of this file: {row.entered} runs now, inside this task", row.notes
                ),
                "",
            )
        case GaveRow():
            return (
                f"`await {row.text}` gives its value",
                _with("the awaited coroutine of this file returned", row.notes),
                _assigned(row.assigned) or f"value: {row.value}",
            )
        case NextRow():
            how = f"suspends {times(row.suspended)}" if row.suspended else "no suspension"
            return (
                f"Get the next item of `async for` over {row.text}",
                _with(how, row.notes),
                _assigned(row.assigned) or row.value,
            )
        case FailRow():
            if row.resumed:
                action = f"{row.frame} resumes: the await fails"
            elif row.delegating:
                action = f"`await {row.text}` fails"
            else:
                action = f"Await {row.text}"
            return (
                action,
                _with(f"{row.text} raises {row.error}", row.notes),
                f"{row.error} is raised at line {row.line}",
            )
        case CaughtRow():
            return (
                f"`{row.source}` catches it",
                _with(f"{row.error} is handled here", row.notes),
                "execution continues in the except block",
            )
        case UnwindRow():
            return (
                f"{row.frame} stops at line {row.line}: `{row.source}`",
                _with(f"{row.error} is not caught in {row.frame}", row.notes),
                f"the exception propagates to {row.caller or 'the code awaiting it'}",
            )
        case ReturnRow():
            return _return(row)
        case IdleRow():
            return (
                "The event loop waits in select()",
                "every task is suspended: nothing is ready to run, so the loop sleeps"
                " until a socket or a timer is ready",
                f"idle {row.idle_ms:.1f} ms; woken by {counted(row.woken)}",
            )
        case SendsRow():
            plain = phases(row.notes) if row.notes.phases else ""
            pooled = bool(row.notes.phases) and row.notes.phases[0] == "wait_for_connection"
            asks = "asks for" if pooled else "sends"
            return (
                f"{row.task} {asks} {row.request}",
                _with(f"the task runs the request: {plain}" if plain else "", row.notes),
                f"{row.task} waits for a free connection, then for the response; the loop can run"
                " other tasks"
                if pooled
                else f"{row.task} waits for the response; the loop can run other tasks",
            )
        case TaskEndRow():
            return _task_end(row)
        case HeldRow():
            return (
                f"Line {row.line} runs",
                f"line {row.line} holds the event loop for {row.ms:.0f} ms: {CAUSES[row.cause]}",
                "blocked",
            )
        case PrintRow():
            return "Print", told(row.notes), f"output: {row.text}"
        case WarnRow():
            return "Python warns", row.text, "a warning, not an exception"
        case StopRow():
            where = f" while running line {row.line}" if row.line is not None else ""
            return "The run is stopped", f"stopped at {LIMITS[row.reason]}{where}", "partial trace"
        case MoreRow():
            return f"… {row.count} more steps are not shown", "", ""
    raise AssertionError(f"no words for {row!r}")  # pragma: no cover


def _statement(row: StatementRow) -> Words:
    notes = row.notes
    evaluation = told(notes)
    if notes.requests and thread_of(row.task) is not None:
        request = f"a request on its worker thread (it blocks that thread only): {_request(notes)}"
        evaluation = f"{request}; {evaluation}" if evaluation else request
    elif notes.requests:
        request = f"a blocking request: {_request(notes)}"
        evaluation = f"{request}; {evaluation}" if evaluation else request
    if row.raised is not None:
        result = f"raises {row.raised}"
    elif row.changed:
        result = ", ".join(f"{name} = {value}" for name, value in row.changed)
    elif notes.printed:
        result = "output: " + " ".join(notes.printed)[:80]
    else:
        result = "no variable changes"
    return f"Run `{row.source}`", evaluation or "runs without awaiting anything", result


def _with_block(row: WithRow) -> Words:
    if row.role == "aenter":
        as_target = f" as {row.target}" if row.target else ""
        action = f"Enter `async with {row.text}{as_target}`"
        evaluation = f"evaluates {row.text}, then awaits its __aenter__()"
        result = _assigned(row.assigned) or (f"gives {row.value}" if row.value else "")
    else:
        action = "Leave the `async with` block"
        evaluation = f"leaving the block awaits {row.target or row.text}.__aexit__()"
        if row.closes:
            evaluation += ", which closes it"
        result = _assigned(row.assigned) or (f"the manager is now {row.value}" if row.value else "")
    if row.notes.requests:  # `async with client.stream(…)`: the request is sent here
        evaluation += f"; it sends {_request(row.notes)}"
    if row.waits:
        on = WAITING_ON.get(row.waiting_on or "", "something else")
        evaluation += f", which cannot finish yet: it waits for {on}"
        return action, _with(evaluation, row.notes), "suspended: the event loop is free"
    if row.suspended:
        evaluation += f" (it suspends {times(row.suspended)} meanwhile)"
    if row.raised is not None:
        result = f"raises {row.raised}"
    return action, _with(evaluation, row.notes), result


def _wait(row: WaitRow) -> Words:
    notes = row.notes
    if notes.requests:
        what = f"sends {_request(notes)}"
    elif row.waiting_on is not None:
        what = f"cannot finish yet (waits for {WAITING_ON[row.waiting_on]})"
    else:
        what = f"cannot finish yet ({waits_on(row.on, row.subject)})"
    evaluation = _with(f"{row.text} {what}; {row.frame} suspends ({times(row.suspended)})", notes)
    if row.unfinished:
        result = "still suspended when the run ended"
    elif row.woken:
        result = (
            "suspended: the event loop is free; it idles"
            f" {row.idle_ms:.1f} ms in select(), woken by {counted(row.woken)}"
        )
    else:
        result = "suspended: the event loop is free to run other tasks"
    return f"Await {row.text}", evaluation, result


def _return(row: ReturnRow) -> Words:
    if row.expression is None:
        action, evaluation = f"{row.frame} reaches the end of its body", ""
    else:
        action, evaluation = f"Return {row.expression}", f"evaluates {row.expression}"
        if row.readable_after_close:
            evaluation += (
                ": still readable after the client closed, because a non-streaming response is"
                " read in full before the request's await returns"
            )
    return action, _with(evaluation, row.notes), f"{row.frame} returns {row.value}"


def _task_end(row: TaskEndRow) -> Words:
    name = row.task or "?"
    outcome = "cancelled" if row.outcome == "cancelled" else f"{row.outcome} {row.value}"
    if row.root and row.outcome == "returned":
        return (
            f"{row.call} completes",
            "the coroutine is done: awaiting it gives its return value",
            f"result: {row.value}",
        )
    if row.root:
        return f"{row.call} ends", "the coroutine did not return", outcome
    if row.outcome != "returned":
        return f"Task {name} ends", "", outcome
    arrived = f"its response ({row.status}) arrived; " if row.status else ""
    return (
        f"Task {name} finishes",
        f"{arrived}the task is done and hands its value to whoever awaits it",
        outcome,
    )
