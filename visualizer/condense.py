"""Condense raw events into the execution table: short sentences, one row per moment that matters.

The rows a learner needs are not one per event. The rules:

- calling the traced coroutine function is a row ("the call creates a coroutine");
- a plain statement is a row of its own, told once the frame reaches its next probe, with the
  variables it changed, what it printed and whether it blocked the loop;
- ``async with`` entry and exit are one row each (the manager's value after it);
- an ``await`` that finishes without suspending is one row; one that suspends is two: the wait
  (all its suspensions merged, with the httpcore phases seen, e.g. connect_tcp -> start_tls ->
  send_request_headers ...) and the resume with the value it gave;
- an ``await`` of another coroutine of the traced file is told as a call: its own rows follow;
- new tasks, returns, caught and uncaught exceptions, warnings and stops are rows;
- a task that runs library code only (``client.get`` wrapped by ``gather``) gets a row when it
  sends its request (completed with the phases as they arrive) and one when it finishes;
- while one task alone is alive, the loop's idle time in ``select()`` is folded into its wait
  row; with several, it is a row of its own ("every task is waiting"), so concurrent runs read
  as: each task starts, suspends on its request, the loop idles, each resumes in arrival order.

Every row carries the variables as they stand once it is told (see ``visualizer.model``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

from visualizer.analysis import EventLike, phase_name
from visualizer.display import NOT_SET
from visualizer.model import Step

MAX_STEPS = 400
_ARROW = " → "


@dataclass(slots=True)
class _Draft:
    line: int | None
    task: str | None
    action: str
    evaluation: str = ""
    result: str = ""
    variables: dict[str, str] | None = None
    idle: bool = False
    woken_by: list[str] = field(default_factory=list)
    idle_ms: float = 0.0
    group: list[str] = field(default_factory=list)
    t_ms: float | None = None


@dataclass(slots=True)
class _Notes:
    """What happened around a statement besides its own effect."""

    blocked_ms: float = 0.0
    printed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)

    def phase(self, detail: str, values: dict[str, str] | None) -> None:
        if detail == "request.started" and values:
            self.requests.append(f"{values.get('method', '')} {values.get('url', '')}")
        elif detail == "response.headers" and values:
            self.statuses.append(values.get("status", ""))
        else:
            name, state = phase_name(detail)
            if state == "started" and name not in self.phases:
                self.phases.append(name)

    def told(self) -> str:
        parts: list[str] = []
        if self.blocked_ms:
            parts.append(
                f"it blocks the event loop for {self.blocked_ms:.0f} ms: no other task can run"
            )
        if self.printed:
            parts.append("prints " + ", ".join(repr(text) for text in self.printed[:3]))
        return "; ".join(parts)


@dataclass(slots=True)
class _Pending:
    line: int
    before: dict[str, str]
    notes: _Notes = field(default_factory=_Notes)


@dataclass(slots=True)
class _Await:
    role: str
    text: str
    line: int | None
    target: str | None
    notes: _Notes
    step: _Draft | None = None
    suspended: int = 0
    waiting_on: str = ""
    delegating: bool = False
    idle_ms: float = 0.0
    woken_by: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Frame:
    label: str
    task: str | None
    names: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    pending: _Pending | None = None
    awaits: list[_Await] = field(default_factory=list)


def condense(
    events: Iterable[EventLike], *, source: str, call: str, root: str | None
) -> list[Step]:
    """The table-ready rows for ``events`` of a run of ``call`` in ``source``."""
    return _Condenser(source, call, root).run(events)


class _Condenser:
    def __init__(self, source: str, call: str, root: str | None) -> None:
        self.lines = source.splitlines()
        self.statements = _simple_statements(source)
        self.call = call.strip()
        self.root = root
        self.steps: list[_Draft] = []
        self.dropped = 0
        self.state: dict[str, str] = {}
        self.frames: dict[str, _Frame] = {}
        self.stacks: dict[str, list[_Frame]] = {}
        self.live: set[str] = set()
        self.learner_tasks: set[str] = set()  # tasks that ran code of the traced file
        self.task_requests: dict[int, tuple[_Draft, _Notes]] = {}
        self.now: float | None = None  # t_ms of the event being walked

    # -- helpers -------------------------------------------------------------------------------

    def key(self, frame: str, name: str) -> str:
        return name if frame == self.root else f"{frame}.{name}"

    def source(self, line: int | None) -> str:
        """The statement starting on ``line`` (whole if simple and short), else the line."""
        if line is None or not 0 < line <= len(self.lines):
            return ""
        return self.statements.get(line) or self.lines[line - 1].strip()

    def freeze(self) -> None:
        """The last row's variables are final: later events belong to later rows."""
        if self.steps and self.steps[-1].variables is None:
            self.steps[-1].variables = dict(self.state)

    def add(self, draft: _Draft) -> _Draft:
        if len(self.steps) >= MAX_STEPS:
            self.dropped += 1
            return draft
        self.freeze()
        if draft.t_ms is None:
            draft.t_ms = self.now
        self.steps.append(draft)
        return draft

    def update(self, frame: _Frame, values: dict[str, str] | None) -> None:
        for name, value in (values or {}).items():
            frame.values[name] = value
            self.state[self.key(frame.label, name)] = value

    def frame_of(self, event: EventLike) -> _Frame:
        label = event.frame or "?"
        frame = self.frames.get(label)
        if frame is None:
            frame = self.frames[label] = _Frame(label, event.task)
        return frame

    def innermost(self, task: str | None) -> _Frame | None:
        stack = self.stacks.get(task or "", [])
        return stack[-1] if stack else None

    def open_await(self, task: str | None) -> _Await | None:
        for frame in reversed(self.stacks.get(task or "", [])):
            if frame.awaits:
                return frame.awaits[-1]
        return None

    def flush(self, frame: _Frame, *, raised: str | None = None) -> None:
        """Tell the frame's pending plain statement as a row of its own."""
        pending, frame.pending = frame.pending, None
        if pending is None:
            return
        changed = [
            f"{name} = {value}"
            for name, value in frame.values.items()
            if pending.before.get(name) != value and value != NOT_SET
        ]
        notes = pending.notes
        evaluation = notes.told()
        if notes.requests:
            request = f"a blocking request: {', '.join(notes.requests)}"
            if notes.phases:
                request += f" ({_ARROW.join(notes.phases)})"
            evaluation = f"{request}; {evaluation}" if evaluation else request
        if raised is not None:
            result = f"raises {raised}"
        elif changed:
            result = ", ".join(changed)
        elif notes.printed:
            result = "output: " + " ".join(notes.printed)[:80]
        else:
            result = "no variable changes"
        self.add(
            _Draft(
                pending.line,
                frame.task,
                f"Run `{self.source(pending.line)}`",
                evaluation or "runs without awaiting anything",
                result,
            )
        )

    def absorb(self, frame: _Frame, line: int | None) -> _Notes:
        """The pending statement on ``line`` is told by the row about to be added."""
        pending = frame.pending
        if pending is not None and pending.line == line:
            frame.pending = None
            return pending.notes
        self.flush(frame)
        return _Notes()

    # -- the walk ------------------------------------------------------------------------------

    def run(self, events: Iterable[EventLike]) -> list[Step]:
        for event in events:
            self.now = event.t_ms
            handler = getattr(self, f"on_{event.kind}", None)
            if handler is not None:
                handler(event)
        self.still_waiting()
        if self.dropped:
            self.steps.append(
                _Draft(None, None, f"… {self.dropped} more steps are not shown", "", "")
            )
        if self.steps and self.steps[-1].variables is None:
            self.steps[-1].variables = dict(self.state)
        keys = list(self.state)
        return [
            Step(
                step=number,
                line=draft.line,
                task=draft.task,
                action=draft.action,
                evaluation=draft.evaluation,
                result=draft.result,
                variables={k: (draft.variables or {}).get(k, NOT_SET) for k in keys},
                t_ms=draft.t_ms,
            )
            for number, draft in enumerate(self.steps, start=1)
        ]

    def on_coroutine(self, event: EventLike) -> None:
        label = event.frame or "?"
        frame = self.frames.setdefault(label, _Frame(label, "main"))
        self.update(frame, event.values)
        created = event.detail.rpartition(" creates ")[2]
        self.add(
            _Draft(
                event.line,
                None,
                f"Call {self.call}",
                f"{label} is an async def function: calling it runs none of its body yet",
                f"A coroutine object is created: {created}",
            )
        )

    def on_task_start(self, event: EventLike) -> None:
        name = event.task or "?"
        self.live.add(name)
        if name == "main":
            return
        creator = event.detail.rpartition(" by ")[2] if " by " in event.detail else None
        last = self.steps[-1] if self.steps else None
        if last is not None and last.group and last.task == creator and last.line == event.line:
            last.group.append(name)
            last.action = f"Start {len(last.group)} tasks: {', '.join(last.group)}"
            last.evaluation = (
                "each coroutine is wrapped in a task; the loop starts them when"
                f" {creator} next suspends"
            )
            return
        coroutine = event.detail.partition(" wrapped")[0]
        self.add(
            _Draft(
                event.line,
                creator,
                f"Start task {name}",
                f"{coroutine} is wrapped in a task; the loop starts it when {creator}"
                " next suspends",
                "scheduled, not running yet",
                group=[name],
            )
        )

    def on_task_done(self, event: EventLike) -> None:
        name = event.task or "?"
        self.live.discard(name)
        self.stacks.pop(name, None)
        if name == "main":
            outcome, _, value = event.detail.partition(" ")
            if outcome == "returned":
                self.add(
                    _Draft(
                        None,
                        name,
                        f"{self.call} completes",
                        "the coroutine is done: awaiting it gives its return value",
                        f"result: {value}",
                    )
                )
            else:
                self.add(
                    _Draft(
                        None,
                        name,
                        f"{self.call} ends",
                        "the coroutine did not return",
                        event.detail,
                    )
                )
        elif not event.detail.startswith("returned"):
            self.add(_Draft(None, name, f"Task {name} ends", "", event.detail))
        elif name not in self.learner_tasks:
            statuses = [
                status
                for draft, notes in self.task_requests.values()
                if draft.task == name
                for status in notes.statuses
            ]
            arrived = f"its response ({statuses[-1]}) arrived; " if statuses else ""
            self.add(
                _Draft(
                    None,
                    name,
                    f"Task {name} finishes",
                    f"{arrived}the task is done and hands its value to whoever awaits it",
                    event.detail,
                )
            )

    def on_call(self, event: EventLike) -> None:
        frame = self.frame_of(event)
        frame.task = event.task
        frame.names = [n for n in (event.values or {}) if "." not in n]
        self.update(frame, event.values)
        stack = self.stacks.setdefault(event.task or "", [])
        self.learner_tasks.add(event.task or "")
        caller = stack[-1] if stack else None
        stack.append(frame)
        if caller is None:
            if event.task not in (None, "main"):
                self.add(
                    _Draft(
                        event.line,
                        event.task,
                        f"Task {event.task} starts running",
                        f"the event loop runs the task's coroutine: {event.detail}",
                        "running",
                    )
                )
            return
        waiting = caller.awaits[-1] if caller.awaits else None
        if waiting is not None and waiting.suspended == 0 and not waiting.delegating:
            waiting.delegating = True
            waiting.step = self.add(
                _Draft(
                    waiting.line,
                    event.task,
                    f"Await {waiting.text}",
                    f"a coroutine of this file: {event.detail} runs now, inside this task",
                    "",
                )
            )

    def on_line(self, event: EventLike) -> None:
        frame = self.frame_of(event)
        self.update(frame, event.values)
        self.flush(frame)
        frame.pending = _Pending(event.line or 0, dict(frame.values))

    def on_snapshot(self, event: EventLike) -> None:
        self.update(self.frame_of(event), event.values)

    def _start_await(self, event: EventLike, role: str) -> _Await:
        frame = self.frame_of(event)
        notes = self.absorb(frame, event.line)
        target = next(iter(event.values), None) if event.values else None
        source = self.source(event.line)
        if role in ("aenter", "aexit") and " as " in source:
            target = source.rpartition(" as ")[2].rstrip(":").strip() or None
        waiting = _Await(role, event.detail, event.line, target, notes)
        frame.awaits.append(waiting)
        self.freeze()
        self.update(frame, event.values)
        return waiting

    def on_await(self, event: EventLike) -> None:
        self._start_await(event, "await")

    def on_anext(self, event: EventLike) -> None:
        self._start_await(event, "anext")

    def on_aenter(self, event: EventLike) -> None:
        waiting = self._start_await(event, "aenter")
        as_target = f" as {waiting.target}" if waiting.target else ""
        waiting.step = self.add(
            _Draft(
                event.line,
                event.task,
                f"Enter `async with {event.detail}{as_target}`",
                f"evaluates {event.detail}, then awaits its __aenter__()",
                "",
            )
        )

    def on_aexit(self, event: EventLike) -> None:
        waiting = self._start_await(event, "aexit")
        subject = waiting.target or event.detail
        waiting.step = self.add(
            _Draft(
                event.line,
                event.task,
                "Leave the `async with` block",
                f"leaving the block awaits {subject}.__aexit__()",
                "",
            )
        )

    def on_suspend(self, event: EventLike) -> None:
        frame = self.frame_of(event)
        waiting = frame.awaits[-1] if frame.awaits else None
        if waiting is None or waiting.delegating:
            return
        if waiting.suspended == 0:
            waiting.waiting_on = event.detail
            if waiting.role in ("await", "anext"):
                waiting.step = self.add(
                    _Draft(event.line, event.task, f"Await {waiting.text}", "", "")
                )
        waiting.suspended += 1

    def on_http(self, event: EventLike) -> None:
        waiting = self.open_await(event.task)
        if waiting is not None:
            waiting.notes.phase(event.detail, event.values)
            return
        frame = self.innermost(event.task)
        if frame is not None:
            if frame.pending is not None:
                frame.pending.notes.phase(event.detail, event.values)
            return
        if event.task and not event.task.startswith("internal:") and event.request is not None:
            self.task_request(event.task, event.request, event.detail, event.values)

    def task_request(
        self, task: str, number: int, detail: str, values: dict[str, str] | None
    ) -> None:
        """A task running library code (e.g. ``client.get`` under gather) makes a request.

        It gets one row when the request starts, completed as its phases arrive, so concurrent
        runs read as: each task sends and waits, the loop idles, each response arrives.
        """
        told = self.task_requests.get(number)
        if told is None:
            if detail != "request.started":
                return
            notes = _Notes()
            notes.phase(detail, values)
            draft = self.add(_Draft(None, task, f"{task} sends {notes.requests[0]}", "", ""))
            told = self.task_requests[number] = (draft, notes)
            draft.result = f"{task} waits for the response; the loop can run other tasks"
        draft, notes = told
        notes.phase(detail, values)
        if notes.phases:
            draft.evaluation = f"the task runs the request: {_ARROW.join(notes.phases)}"

    def on_io_wait(self, event: EventLike) -> None:
        woke = event.detail.removeprefix("woken by ")
        learners = [task for task in self.live if not task.startswith("internal:")]
        if len(learners) <= 1:
            waiting = self.open_await(learners[0]) if learners else None
            if waiting is not None:
                waiting.idle_ms += event.ms or 0.0
                waiting.woken_by.extend(woke.split(", "))
            return
        last = self.steps[-1] if self.steps else None
        if last is None or not last.idle:
            last = self.add(
                _Draft(
                    None,
                    None,
                    "The event loop waits in select()",
                    "every task is suspended: nothing is ready to run, so the loop sleeps"
                    " until a socket or a timer is ready",
                    "",
                    idle=True,
                )
            )
        last.idle_ms += event.ms or 0.0
        last.woken_by.extend(woke.split(", "))
        last.result = f"idle {last.idle_ms:.1f} ms; woken by {_counted(last.woken_by)}"

    def _finish_wait(self, waiting: _Await, frame: _Frame, task: str | None) -> None:
        """Write the wait row of an await that suspended, now that its phases are known."""
        step = waiting.step
        if step is None:
            return
        notes = waiting.notes
        if notes.requests:
            what = f"sends {', '.join(notes.requests)}"
            if notes.phases:
                what += f" ({_ARROW.join(notes.phases)})"
        else:
            what = f"cannot finish yet ({waiting.waiting_on})"
        times = "once" if waiting.suspended == 1 else f"{waiting.suspended} times"
        extra = notes.told()
        step.evaluation = f"{waiting.text} {what}; {frame.label} suspends ({times})" + (
            f"; {extra}" if extra else ""
        )
        if waiting.woken_by:
            step.result = (
                "suspended: the event loop is free; it idles"
                f" {waiting.idle_ms:.1f} ms in select(), woken by {_counted(waiting.woken_by)}"
            )
        else:
            step.result = "suspended: the event loop is free to run other tasks"

    def on_awaited(self, event: EventLike) -> None:
        frame = self.frame_of(event)
        if not frame.awaits:
            return
        waiting = frame.awaits.pop()
        if waiting.suspended and waiting.role == "await" and not waiting.delegating:
            self.freeze()
        self.update(frame, event.values)
        assigned = self._assigned(waiting, event)
        if waiting.role == "aenter" and waiting.step is not None:
            waiting.step.result = assigned or f"gives {event.detail}"
            self._note_suspensions(waiting)
        elif waiting.role == "aexit" and waiting.step is not None:
            if event.detail.endswith("(closed)"):
                waiting.step.evaluation += ", which closes it"
            waiting.step.result = assigned or f"the manager is now {event.detail}"
            self._note_suspensions(waiting)
        elif waiting.role == "anext":
            action = f"Get the next item of `async for` over {waiting.text}"
            result = assigned or event.detail
            self.add(_Draft(event.line, event.task, action, _suspensions(waiting), result))
        elif waiting.delegating:
            self.add(
                _Draft(
                    event.line,
                    event.task,
                    f"`await {waiting.text}` gives its value",
                    "the awaited coroutine of this file returned",
                    assigned or f"value: {event.detail}",
                )
            )
        elif waiting.suspended:
            self._finish_wait(waiting, frame, event.task)
            statuses = waiting.notes.statuses
            action = (
                f"The response arrives ({statuses[-1]}); {frame.label} resumes"
                if statuses
                else f"{frame.label} resumes"
            )
            self.add(
                _Draft(
                    event.line,
                    event.task,
                    action,
                    f"{waiting.text} completes, so {frame.label} continues at line {event.line}",
                    assigned or f"value: {event.detail}",
                )
            )
        else:
            extra = waiting.notes.told()
            self.add(
                _Draft(
                    event.line,
                    event.task,
                    f"Await {waiting.text}",
                    "it finishes without suspending" + (f"; {extra}" if extra else ""),
                    assigned or f"value: {event.detail}",
                )
            )

    def _assigned(self, waiting: _Await, event: EventLike) -> str:
        values = event.values or {}
        parts = [f"{name} = {value}" for name, value in values.items() if "." not in name]
        parts += [f"{name} available: {value}" for name, value in values.items() if "." in name]
        return "; ".join(parts)

    def _note_suspensions(self, waiting: _Await) -> None:
        if waiting.step is not None and waiting.suspended:
            waiting.step.evaluation += f" (it suspends {_times(waiting.suspended)} meanwhile)"
        extra = waiting.notes.told()
        if waiting.step is not None and extra:
            waiting.step.evaluation += f"; {extra}"

    def on_exception(self, event: EventLike) -> None:
        frame = self.frame_of(event)
        if not frame.awaits:
            return
        waiting = frame.awaits.pop()
        if waiting.role in ("aenter", "aexit") and waiting.step is not None:
            waiting.step.result = f"raises {event.detail}"
            return
        if waiting.suspended and not waiting.delegating:
            self._finish_wait(waiting, frame, event.task)
            action = f"{frame.label} resumes: the await fails"
        else:
            action = (
                f"Await {waiting.text}"
                if not waiting.delegating
                else f"`await {waiting.text}` fails"
            )
        self.add(
            _Draft(
                event.line,
                event.task,
                action,
                f"{waiting.text} raises {event.detail}",
                f"{event.detail} is raised at line {event.line}",
            )
        )

    def on_caught(self, event: EventLike) -> None:
        frame = self.frame_of(event)
        self.flush(frame, raised=event.detail)
        self.add(
            _Draft(
                event.line,
                event.task,
                f"`{self.source(event.line)}` catches it",
                f"{event.detail} is handled here",
                "execution continues in the except block",
            )
        )

    def on_unwind(self, event: EventLike) -> None:
        frame = self.frame_of(event)
        notes = self.absorb(frame, event.line)
        frame.awaits.clear()
        stack = self.stacks.get(event.task or "", [])
        if frame in stack:
            stack.remove(frame)
        caller = stack[-1].label if stack else "the code awaiting it"
        extra = notes.told()
        self.add(
            _Draft(
                event.line,
                event.task,
                f"{frame.label} stops at line {event.line}: `{self.source(event.line)}`",
                f"{event.detail} is not caught in {frame.label}" + (f"; {extra}" if extra else ""),
                f"the exception propagates to {caller}",
            )
        )

    def on_return(self, event: EventLike) -> None:
        frame = self.frame_of(event)
        text = self.source(event.line)
        explicit = text.startswith("return") and (
            frame.pending is not None and frame.pending.line == event.line
        )
        notes = self.absorb(frame, event.line) if explicit else _Notes()
        if not explicit:
            self.flush(frame)
        stack = self.stacks.get(event.task or "", [])
        if frame in stack:
            stack.remove(frame)
        extra = notes.told()
        if explicit:
            expression = text.removeprefix("return").strip() or "None"
            evaluation = f"evaluates {expression}" + self._still_readable(frame, expression)
            action = f"Return {expression}"
        else:
            evaluation, action = "", f"{frame.label} reaches the end of its body"
        if extra:
            evaluation += f"; {extra}"
        self.add(
            _Draft(
                event.line, event.task, action, evaluation, f"{frame.label} returns {event.detail}"
            )
        )

    def _still_readable(self, frame: _Frame, expression: str) -> str:
        base = expression.partition(".")[0]
        if not frame.values.get(base, "").startswith("Response ["):
            return ""
        if not any(value.endswith("Client (closed)") for value in frame.values.values()):
            return ""
        return (
            ": still readable after the client closed, because a non-streaming response is"
            " read in full before the request's await returns"
        )

    def on_blocked(self, event: EventLike) -> None:
        frame = self.frames.get(event.frame or "")
        if frame is not None and frame.pending is not None and frame.pending.line == event.line:
            frame.pending.notes.blocked_ms += event.ms or 0.0
            return
        waiting = self.open_await(event.task)
        if waiting is not None and waiting.line == event.line:
            waiting.notes.blocked_ms += event.ms or 0.0
            return
        note = f"line {event.line} then holds the event loop for {event.ms or 0:.0f} ms"
        for step in reversed(self.steps):
            if step.task == event.task:
                step.evaluation += f"; {note}"
                return
        self.add(_Draft(event.line, event.task, f"Line {event.line} runs", note, "blocked"))

    def on_output(self, event: EventLike) -> None:
        frame = self.innermost(event.task)
        if frame is not None and frame.pending is not None:
            frame.pending.notes.printed.append(event.detail)
            return
        self.add(_Draft(event.line, event.task, "Print", "", f"output: {event.detail}"))

    def on_warning(self, event: EventLike) -> None:
        self.add(
            _Draft(event.line, None, "Python warns", event.detail, "a warning, not an exception")
        )

    def still_waiting(self) -> None:
        """Tell the waits that never ended (the run stopped, or the loop closed first)."""
        for frame in self.frames.values():
            for waiting in frame.awaits:
                if waiting.suspended and waiting.step is not None and not waiting.step.evaluation:
                    self._finish_wait(waiting, frame, frame.task)
                    waiting.step.result = "still suspended when the run ended"
            self.flush(frame)

    def on_stopped(self, event: EventLike) -> None:
        self.still_waiting()
        self.add(_Draft(event.line, None, "The run is stopped", event.detail, "partial trace"))


def _counted(reasons: list[str]) -> str:
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    return ", ".join(f"{r} (x{n})" if n > 1 else r for r, n in counts.items())


def _simple_statements(source: str) -> dict[int, str]:
    """Line -> source of the simple (not compound) statement starting there."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    compound = (
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.If,
        ast.For,
        ast.AsyncFor,
        ast.While,
        ast.With,
        ast.AsyncWith,
        ast.Try,
        ast.Match,
    )
    statements: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not isinstance(node, compound):
            text = " ".join((ast.get_source_segment(source, node) or "").split())
            if text:
                statements[node.lineno] = text if len(text) <= 90 else text[:89] + "…"
    return statements


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _suspensions(waiting: _Await) -> str:
    return f"suspends {_times(waiting.suspended)}" if waiting.suspended else "no suspension"
