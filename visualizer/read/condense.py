"""Fold the raw events into the rows of the execution table: one row per moment that matters.

``fold`` is a pure fold over typed events (state only: it reads fields, never sentences) and
returns typed rows (``visualizer.read.rows``); ``visualizer.read.row_words`` puts them into words,
and
``condense`` does both. The rules:

- calling the traced coroutine function is a row ("the call creates a coroutine");
- a plain statement is a row of its own, told once the frame reaches its next probe, with the
  variables it changed, what it printed, the clients it built and whether it blocked the loop;
- ``async with`` entry and exit are one row each; a statement's row starts when its line began,
  so building a client in ``async with httpx.AsyncClient()`` belongs to the entry row;
- an ``await`` that finishes without suspending is one row; one that suspends is two: the wait
  (all its suspensions merged, with the httpcore phases seen) and the resume with its value;
- an ``await`` of another coroutine of the traced file is told as a call: its own rows follow;
- new tasks, returns, caught and uncaught exceptions, warnings and stops are rows;
- a task that runs library code only (``client.get`` wrapped by ``gather``) gets a row when it
  sends its request (completed with the phases as they arrive) and one when it finishes;
- while one task alone is alive, the loop's idle time in ``select()`` is folded into its wait
  row; with several, it is a row of its own ("every task is waiting").

Variables change only at the row whose statement changed them. Every probe of a frame reports
what changed since that frame's previous probe, which is what its pending statement did (or,
at an await, a return or an ``except … as``, what that line did before): the change goes to
that statement's row, never to another task's. A ``for`` loop's next binding is a row of the
``for`` line. What a frame finds changed when it had no statement running (a shared object
another task changed while it waited) goes to ``seen_changed`` of its next row, not to
``changes``.

Rows are in time order (``t_ms``, when each began): a statement's row is stamped when its line
began, a wait when it began, so the fold sorts them once at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from visualizer.appdriver import shown_call
from visualizer.contract import caps
from visualizer.contract.event_words import woken
from visualizer.contract.events import (
    NOT_SET,
    AnyEvent,
    AwaitDone,
    AwaitRole,
    AwaitStarted,
    Blocked,
    Caught,
    ClientClosed,
    ClientCreated,
    CoroutineCreated,
    FrameEntered,
    HttpPhase,
    IoWait,
    LineRan,
    Printed,
    Raised,
    RequestSent,
    ResponseArrived,
    Returned,
    Snapshot,
    Stopped,
    Suspended,
    TaskDone,
    TaskStarted,
    TransportBuilt,
    Unwound,
    WaitingOn,
    Warned,
    Yielded,
)
from visualizer.contract.table import Step
from visualizer.read.row_words import words
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
    is_waiting,
    note_phase,
    refine,
)
from visualizer.read.statements import loop_bodies, simple_statements, touched_names

MAX_STEPS = caps.MAX_STEPS  # rows kept; past it a last row says how many more were made


@dataclass(slots=True)
class _Pending:
    line: int
    t_ms: float
    before: dict[str, str]
    notes: Notes = field(default_factory=Notes)


@dataclass(slots=True)
class _Await:
    role: AwaitRole
    text: str
    line: int | None
    target: str | None
    notes: Notes
    row: WithRow | WaitRow | DelegateRow | None = None
    suspended: int = 0
    delegating: bool = False


@dataclass(slots=True, eq=False)
class _Frame:
    label: str
    task: str | None
    values: dict[str, str] = field(default_factory=dict)
    pending: _Pending | None = None
    awaits: list[_Await] = field(default_factory=list)
    unsaid: dict[str, str] = field(default_factory=dict)  # changes for its next row
    seen: dict[str, str] = field(default_factory=dict)  # found changed, not by this frame
    # the row that told an await's end, and its line: what that line does after the await
    # (``x = f(await g())``, ``ids.append(await g())``) is still that row's
    after: tuple[int, AnyRow] | None = None


# What a row waits on besides its own request; a wait on one of these is told as a wait, with
# a row of its own when it ends (``async with sem:``, leaving a TaskGroup's block).
_WAITS: frozenset[WaitingOn] = frozenset(
    {"tasks", "semaphore", "lock", "condition", "event", "queue", "thread"}
)


class _Fold:
    """The fold's state; ``feed`` one event at a time, then ``finish``."""

    def __init__(
        self, source: str, call: str, root: str | None, max_steps: int = MAX_STEPS
    ) -> None:
        self.max_steps = max_steps
        self.lines = source.splitlines()
        self.statements = simple_statements(source)
        self.call = shown_call(call)  # a check's driver prefix is not the learner's
        self.root = root
        self.rows: list[AnyRow] = []
        self.dropped = 0
        self.changes: dict[str, str] = {}  # arrived since the last row; the next row takes them
        self.frames: dict[str, _Frame] = {}
        self.stacks: dict[str, list[_Frame]] = {}
        self.live: set[str] = set()
        self.root_task: str | None = None
        self.learner_tasks: set[str] = set()  # tasks that ran code of the traced file
        self.sends: dict[int, SendsRow] = {}
        self.overflow: dict[str, str] = {}
        self.task_lines: dict[str, int | None] = {}
        self.now = 0.0
        self.loops = loop_bodies(source)
        self.touched = touched_names(source)

    # -- helpers -------------------------------------------------------------------------------

    def key(self, frame: str, name: str) -> str:
        return name if frame == self.root else f"{frame}.{name}"

    def source(self, line: int | None) -> str:
        """The statement starting on ``line`` (whole if simple and short), else the line."""
        if line is None or not 0 < line <= len(self.lines):
            return ""
        return self.statements.get(line) or self.lines[line - 1].strip()

    def add(self, row: AnyRow, *, t_ms: float | None = None, frame: _Frame | None = None) -> AnyRow:
        """Add ``row``; it tells what ``frame`` changed since its last row (and what it saw)."""
        row.t_ms = self.now if t_ms is None else t_ms
        if frame is not None:
            frame.after = None
            row.changes.update(frame.unsaid)
            row.seen_changed.update(frame.seen)
            frame.unsaid, frame.seen = {}, {}
        if self.changes:
            row.changes.update(self.changes)
            self.changes = {}
        if len(self.rows) >= self.max_steps:
            self.dropped += 1
            self.overflow.update(row.seen_changed)
            self.overflow.update(row.changes)  # what it would have changed goes to the closing row
            return row
        self.rows.append(row)
        return row

    def update(self, frame: _Frame, values: dict[str, str], row: AnyRow | None = None) -> None:
        """``frame``'s locals changed: the change belongs to ``row``, or else to the frame's
        next row."""
        into = row.changes if row is not None else frame.unsaid
        for name, value in values.items():
            frame.values[name] = value
            into[self.key(frame.label, name)] = value

    def saw(self, frame: _Frame, values: dict[str, str]) -> None:
        """``frame`` found its locals changed while no statement of its own was running."""
        for name, value in values.items():
            frame.values[name] = value
            frame.seen[self.key(frame.label, name)] = value

    def changed_by_pending(self, frame: _Frame, values: dict[str, str]) -> None:
        """A probe's changes: the pending statement's doing, or what the line of the await that
        just ended did after it, or else seen from elsewhere."""
        after, frame.after = frame.after, None
        if frame.pending is not None:
            self.update(frame, values)
            return
        if after is not None and values:
            line, row = after
            touched = self.touched.get(line, frozenset())
            mine = {name: value for name, value in values.items() if name in touched}
            self.update(frame, mine, row)
            values = {name: value for name, value in values.items() if name not in touched}
        self.saw(frame, values)

    def frame_of(self, label: str, task: str | None) -> _Frame:
        frame = self.frames.get(label)
        if frame is None:
            frame = self.frames[label] = _Frame(label, task)
        return frame

    def innermost(self, task: str | None) -> _Frame | None:
        stack = self.stacks.get(task or "", [])
        return stack[-1] if stack else None

    def open_await(self, task: str | None) -> _Await | None:
        for frame in reversed(self.stacks.get(task or "", [])):
            if frame.awaits:
                return frame.awaits[-1]
        return None

    def notes_for(self, task: str | None) -> Notes | None:
        """Where a side effect of ``task`` (a phase, a client built) is told: the open await, or
        the statement running now."""
        waiting = self.open_await(task)
        if waiting is not None:
            return waiting.notes
        frame = self.innermost(task)
        if frame is not None and frame.pending is not None:
            return frame.pending.notes
        return None

    def flush(self, frame: _Frame, *, raised: str | None = None) -> None:
        """Tell the frame's pending plain statement as a row of its own."""
        pending, frame.pending = frame.pending, None
        if pending is None:
            return
        changed = [
            (name, value)
            for name, value in frame.values.items()
            if pending.before.get(name) != value and value != NOT_SET
        ]
        row = StatementRow(
            line=pending.line,
            task=frame.task,
            notes=pending.notes,
            source=self.source(pending.line),
            changed=changed,
            raised=raised,
        )
        self.add(row, t_ms=pending.t_ms, frame=frame)

    def absorb(self, frame: _Frame, line: int | None) -> tuple[Notes, float | None]:
        """The pending statement on ``line`` is told by the row about to be added."""
        pending = frame.pending
        if pending is not None and pending.line == line:
            frame.pending = None
            return pending.notes, pending.t_ms
        self.flush(frame)
        return Notes(), None

    # -- the walk ------------------------------------------------------------------------------

    def feed(self, event: AnyEvent) -> None:
        self.now = event.t_ms
        match event:
            case LineRan():
                self.on_line(event)
            case Snapshot():
                frame = self.frame_of(event.frame, event.task)
                self.changed_by_pending(frame, event.changes)
            case FrameEntered():
                self.on_call(event)
            case AwaitStarted():
                self.on_await(event)
            case Suspended() | Yielded():
                self.on_suspend(event)
            case AwaitDone():
                self.on_awaited(event)
            case Raised():
                self.on_raised(event)
            case RequestSent() | HttpPhase() | ResponseArrived():
                self.on_http(event)
            case IoWait():
                self.on_io_wait(event)
            case ClientCreated():
                notes = self.notes_for(event.task)
                if notes is not None:
                    notes.client_ms.append((event.cpu_ms, event.thread))
            case TransportBuilt():
                notes = self.notes_for(event.task)
                if notes is not None:
                    notes.transport_ms.append(event.cpu_ms)
            case ClientClosed():
                pass
            case Blocked():
                self.on_blocked(event)
            case CoroutineCreated():
                frame = self.frame_of(event.frame, None)
                row = CallRow(
                    line=event.line,
                    task=None,
                    call=self.call,
                    function=event.frame,
                    coroutine=event.shown,
                )
                self.update(frame, event.changes, row)
                self.add(row)
            case TaskStarted():
                self.on_task_start(event)
            case TaskDone():
                self.on_task_done(event)
            case Caught():
                frame = self.frame_of(event.frame, event.task)
                error = event.error.text if event.error else ""
                self.flush(frame, raised=error)
                caught = CaughtRow(
                    line=event.line,
                    task=event.task,
                    source=self.source(event.line),
                    error=error,
                )
                touched = self.touched.get(event.line or 0, frozenset())
                # its `except … as` binding is its own; the rest changed while it unwound
                self.update(frame, {k: v for k, v in event.changes.items() if k in touched}, caught)
                self.saw(frame, {k: v for k, v in event.changes.items() if k not in touched})
                self.add(caught, frame=frame)
            case Unwound():
                self.on_unwind(event)
            case Returned():
                self.on_return(event)
            case Printed():
                inner = self.innermost(event.task)
                if inner is not None and inner.pending is not None:
                    inner.pending.notes.printed.append(event.text)
                else:
                    self.add(PrintRow(line=event.line, task=event.task, text=event.text))
            case Warned():
                text = f"{event.category}: {event.message}"
                self.add(WarnRow(line=event.line, task=None, text=text))
            case Stopped():
                self.still_waiting()
                self.add(StopRow(line=event.line, task=None, reason=event.reason))

    def on_line(self, event: LineRan) -> None:
        frame = self.frame_of(event.frame, event.task)
        line = event.line or 0
        loop = self.loops.get(line)
        pending = frame.pending
        if loop is not None and pending is not None and pending.line != loop[0]:
            # the next iteration of a `for`: its binding is a row of the `for` line
            header, targets = loop
            bound = {name: value for name, value in event.changes.items() if name in targets}
            self.update(frame, {k: v for k, v in event.changes.items() if k not in targets})
            self.flush(frame)
            row = StatementRow(
                line=header,
                task=frame.task,
                source=self.source(header),
                changed=list(bound.items()),
            )
            self.update(frame, bound, row)
            self.add(row, t_ms=event.t_ms, frame=frame)
        else:
            self.changed_by_pending(frame, event.changes)
            self.flush(frame)
        frame.pending = _Pending(line, event.t_ms, dict(frame.values))

    def on_task_start(self, event: TaskStarted) -> None:
        name = event.task or "?"
        self.live.add(name)
        self.task_lines[name] = event.line
        if event.root:
            self.root_task = name
            return
        last = self.rows[-1] if self.rows else None
        if isinstance(last, TasksRow) and last.creator == event.creator and last.line == event.line:
            last.tasks.append(name)
            return
        self.add(
            TasksRow(
                line=event.line,
                task=event.creator,
                creator=event.creator,
                tasks=[name],
                coroutine=event.coroutine,
            )
        )

    def on_task_done(self, event: TaskDone) -> None:
        name = event.task or "?"
        self.live.discard(name)
        self.stacks.pop(name, None)
        root = name == self.root_task
        if not root and event.outcome == "returned" and name in self.learner_tasks:
            return
        statuses = [
            s for row in self.sends.values() if row.task == name for s in row.notes.statuses
        ]
        self.add(
            TaskEndRow(
                line=None,
                task=name,
                outcome=event.outcome,
                value=event.value,
                root=root,
                call=self.call,
                status=statuses[-1] if statuses else None,
            )
        )

    def on_call(self, event: FrameEntered) -> None:
        frame = self.frame_of(event.frame, event.task)
        frame.task = event.task
        self.update(frame, event.changes)  # its parameters: told by its call row
        stack = self.stacks.setdefault(event.task or "", [])
        self.learner_tasks.add(event.task or "")
        caller = stack[-1] if stack else None
        stack.append(frame)
        entered = f"{event.function}({', '.join(event.arguments)})"
        if caller is None:
            if event.task is not None and event.task != self.root_task:
                runs = TaskRunsRow(line=event.line, task=event.task, entered=entered)
                self.add(runs, frame=frame)
            return
        waiting = caller.awaits[-1] if caller.awaits else None
        if waiting is not None and waiting.suspended == 0 and not waiting.delegating:
            waiting.delegating = True
            row = DelegateRow(
                line=waiting.line, task=event.task, text=waiting.text, entered=entered
            )
            self.add(row, frame=frame)
            waiting.row = row

    def on_await(self, event: AwaitStarted) -> None:
        frame = self.frame_of(event.frame, event.task)
        self.changed_by_pending(frame, event.before)
        notes, began = self.absorb(frame, event.line)
        target = event.target
        source = self.source(event.line)
        if event.kind in ("aenter", "aexit") and " as " in source:
            target = source.rpartition(" as ")[2].rstrip(":").strip() or None
        waiting = _Await(event.kind, event.text, event.line, target, notes)
        frame.awaits.append(waiting)
        self.update(frame, event.changes)
        if event.kind in ("aenter", "aexit"):
            row = WithRow(
                line=event.line,
                task=event.task,
                notes=notes,
                role=event.kind,
                text=event.text,
                target=target,
            )
            self.add(row, t_ms=began, frame=frame)
            waiting.row = row

    def on_suspend(self, event: Suspended | Yielded) -> None:
        frame = self.innermost(event.task)  # the task suspends where its innermost frame awaits
        if frame is None or not frame.awaits or frame.awaits[-1].delegating:
            return
        waiting = frame.awaits[-1]
        if waiting.suspended == 0 and waiting.role in ("await", "anext"):
            on, subject = (
                (event.on, event.subject) if isinstance(event, Suspended) else ("yield", "")
            )
            row = WaitRow(
                line=event.line,
                task=event.task,
                notes=waiting.notes,
                text=waiting.text,
                frame=frame.label,
                on=on,
                subject=subject,
                waiting_on=event.waiting_on if isinstance(event, Suspended) else None,
            )
            # a bare yield is stamped when it is back: its row began ms earlier
            began = event.t_ms - event.ms if isinstance(event, Yielded) else None
            self.add(row, t_ms=began, frame=frame)
            waiting.row = row
        elif (
            waiting.suspended == 0
            and isinstance(waiting.row, WithRow)
            and isinstance(event, Suspended)
            and event.waiting_on in _WAITS
        ):
            waiting.row.waits = True  # `async with sem:`, leaving a TaskGroup: a wait of its own
            waiting.row.waiting_on = event.waiting_on
        waiting.suspended += 1
        if isinstance(waiting.row, WaitRow | WithRow):
            waiting.row.suspended = waiting.suspended

    def on_http(self, event: RequestSent | HttpPhase | ResponseArrived) -> None:
        notes = self.notes_for(event.task)
        if notes is not None:
            note_phase(notes, event)
            return
        task = event.task
        if not task or task.startswith("internal:"):
            return
        row = self.sends.get(event.request)
        if row is None:
            if not isinstance(event, RequestSent):
                return
            # a task made by gather(client.get(…)): its row points at the line that started it
            line = event.line if event.line is not None else self.task_lines.get(task)
            row = SendsRow(line=line, task=task, request=f"{event.method} {event.url}")
            self.add(row)
            self.sends[event.request] = row
        note_phase(row.notes, event)

    def on_io_wait(self, event: IoWait) -> None:
        reasons = woken(event.woken)
        learners = [task for task in self.live if not task.startswith("internal:")]
        if len(learners) <= 1:
            waiting = self.open_await(learners[0]) if learners else None
            if waiting is not None and isinstance(waiting.row, WaitRow):
                waiting.row.idle_ms += event.ms
                waiting.row.woken.extend(reasons)
            return
        last = self.rows[-1] if self.rows else None
        if not isinstance(last, IdleRow):
            last = IdleRow(line=None, task=None)
            self.add(last, t_ms=event.t_ms - event.ms)
        last.idle_ms += event.ms
        last.woken.extend(reasons)

    def on_awaited(self, event: AwaitDone) -> None:
        frame = self.frame_of(event.frame, event.task)
        if not frame.awaits:
            return
        waiting = frame.awaits.pop()
        assigned = list(event.changes.items())
        row = waiting.row
        if isinstance(row, WithRow) and not row.waits:
            self.update(frame, event.changes, row)
            row.value, row.assigned = event.value, assigned
            row.closes = waiting.role == "aexit" and event.value.endswith("(closed)")
            if event.line is not None:  # what entering or leaving did to the manager
                frame.after = (event.line, row)
            return
        if isinstance(row, WithRow):  # the wait is over: told at its own moment
            self.update(frame, event.changes)
            method = "__aenter__" if row.role == "aenter" else "__aexit__"
            text = f"{row.target or row.text}.{method}()"
            self.add(
                ResumeRow(
                    line=event.line,
                    task=event.task,
                    value=event.value,
                    frame=frame.label,
                    text=text,
                    status=None,
                    assigned=assigned,
                ),
                frame=frame,
            )
            return
        if isinstance(row, WaitRow):
            row.told = True
        self.update(frame, event.changes)
        line, task, value = event.line, event.task, event.value
        self.add_awaited(frame, waiting, line, task, value, assigned)
        if self.rows and line is not None:
            frame.after = (line, self.rows[-1])

    def add_awaited(
        self,
        frame: _Frame,
        waiting: _Await,
        line: int | None,
        task: str | None,
        value: str,
        assigned: list[tuple[str, str]],
    ) -> None:
        if waiting.role == "anext":
            self.add(
                NextRow(
                    line=line,
                    task=task,
                    value=value,
                    notes=waiting.notes,
                    text=waiting.text,
                    suspended=waiting.suspended,
                    assigned=assigned,
                ),
                frame=frame,
            )
        elif waiting.delegating:
            self.add(
                GaveRow(line=line, task=task, value=value, text=waiting.text, assigned=assigned),
                frame=frame,
            )
        elif waiting.suspended:
            statuses = waiting.notes.statuses
            status = statuses[-1] if statuses else None
            self.add(
                ResumeRow(
                    line=line,
                    task=task,
                    value=value,
                    frame=frame.label,
                    text=waiting.text,
                    status=status,
                    assigned=assigned,
                ),
                frame=frame,
            )
        else:
            self.add(
                AwaitNowRow(
                    line=line,
                    task=task,
                    value=value,
                    notes=waiting.notes,
                    text=waiting.text,
                    assigned=assigned,
                ),
                frame=frame,
            )

    def on_raised(self, event: Raised) -> None:
        frame = self.frame_of(event.frame, event.task)
        if not frame.awaits:
            return
        waiting = frame.awaits.pop()
        text = waiting.text
        if isinstance(waiting.row, WithRow):
            if not waiting.row.waits:
                waiting.row.raised = event.error.text
                return
            # leaving a TaskGroup that raises: told when it raises, after the tasks that failed
            role = "__aenter__" if waiting.row.role == "aenter" else "__aexit__"
            text = f"{waiting.row.target or waiting.row.text}.{role}()"
        if isinstance(waiting.row, WaitRow):
            waiting.row.told = True
        self.add(
            FailRow(
                line=event.line,
                task=event.task,
                frame=frame.label,
                text=text,
                error=event.error.text,
                resumed=bool(waiting.suspended) and not waiting.delegating,
                delegating=waiting.delegating,
            ),
            frame=frame,
        )

    def on_unwind(self, event: Unwound) -> None:
        frame = self.frame_of(event.frame, event.task)
        notes, began = self.absorb(frame, event.line)
        frame.awaits.clear()
        stack = self.stacks.get(event.task or "", [])
        if frame in stack:
            stack.remove(frame)
        row = UnwindRow(
            line=event.line,
            task=event.task,
            notes=notes,
            frame=frame.label,
            source=self.source(event.line),
            error=event.error.text,
            caller=stack[-1].label if stack else None,
        )
        self.add(row, t_ms=began, frame=frame)

    def on_return(self, event: Returned) -> None:
        frame = self.frame_of(event.frame, event.task)
        text = self.source(event.line)
        explicit = text.startswith("return") and (
            frame.pending is not None and frame.pending.line == event.line
        )
        if not explicit:  # the body ran to its end: the changes are its last statement's
            self.changed_by_pending(frame, event.changes)
        notes, began = self.absorb(frame, event.line) if explicit else (Notes(), None)
        if not explicit:
            self.flush(frame)
        stack = self.stacks.get(event.task or "", [])
        if frame in stack:
            stack.remove(frame)
        expression = (text.removeprefix("return").strip() or "None") if explicit else None
        base = (expression or "").partition(".")[0]
        readable = frame.values.get(base, "").startswith("Response [") and any(
            value.endswith("Client (closed)") for value in frame.values.values()
        )
        row = ReturnRow(
            line=event.line,
            task=event.task,
            notes=notes,
            frame=frame.label,
            expression=expression,
            value=event.value,
            readable_after_close=readable,
        )
        if explicit:  # what the return expression did (`return ids.pop()`)
            self.update(frame, event.changes, row)
        self.add(row, t_ms=began, frame=frame)

    def on_blocked(self, event: Blocked) -> None:
        frame = self.frames.get(event.frame or "")
        if frame is not None and frame.pending is not None and frame.pending.line == event.line:
            frame.pending.notes.blocked_ms += event.ms
            frame.pending.notes.causes.append(event.cause)
            return
        waiting = self.open_await(event.task)
        if waiting is not None and waiting.line == event.line:
            waiting.notes.blocked_ms += event.ms
            waiting.notes.causes.append(event.cause)
            return
        for row in reversed(self.rows):
            if row.task == event.task:
                row.notes.held_later.append((event.line, event.ms))
                return
        self.add(HeldRow(line=event.line, task=event.task, ms=event.ms, cause=event.cause))

    def still_waiting(self) -> None:
        """Tell the waits that never ended (the run stopped, or the loop closed first)."""
        for frame in self.frames.values():
            for waiting in frame.awaits:
                if isinstance(waiting.row, WaitRow) and not waiting.row.told:
                    waiting.row.told = waiting.row.unfinished = True
            self.flush(frame)

    def finish(self) -> list[AnyRow]:
        self.still_waiting()
        for frame in self.frames.values():  # changes no later row of the frame told
            if not (frame.unsaid or frame.seen):
                continue
            mine = [row for row in self.rows if row.task == frame.task]
            last = mine[-1] if mine else (self.rows[-1] if self.rows else None)
            if last is not None:
                last.changes.update(frame.unsaid)
                last.seen_changed.update(frame.seen)
        self.rows.sort(key=lambda row: row.t_ms or 0.0)  # stable: ties keep the fold's order
        if self.dropped:
            more = MoreRow(line=None, task=None, count=self.dropped, t_ms=self.now)
            more.changes = self.overflow
            self.rows.append(more)
        if self.changes and self.rows:
            self.rows[-1].changes.update(self.changes)
        return self.rows


def fold(
    events: Iterable[AnyEvent],
    *,
    source: str,
    call: str,
    root: str | None,
    max_steps: int = MAX_STEPS,
) -> list[AnyRow]:
    """The rows for ``events`` of a run of ``call`` in ``source``, as typed facts."""
    state = _Fold(source, call, root, max_steps)
    for event in events:
        state.feed(event)
    return state.finish()


def condense(
    events: Iterable[AnyEvent],
    *,
    source: str,
    call: str,
    root: str | None,
    max_steps: int = MAX_STEPS,
) -> list[Step]:
    """The table-ready rows for ``events``: the fold, put into words (at most ``max_steps``,
    and a last row saying how many more there were)."""
    steps: list[Step] = []
    rows = fold(events, source=source, call=call, root=root, max_steps=max_steps)
    for number, row in enumerate(rows, start=1):
        action, evaluation, result = words(row)
        steps.append(
            Step(
                step=number,
                line=row.line,
                task=row.task,
                action=action,
                evaluation=evaluation,
                result=result,
                changes=row.changes,
                waiting=is_waiting(row),
                t_ms=None if row.t_ms is None else round(row.t_ms, 3),
                waiting_on=refine(row) if is_waiting(row) else None,
                seen_changed=row.seen_changed,
            )
        )
    return steps
