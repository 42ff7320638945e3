"""Visual mode's player: one recorded run at one step, as view data for ``lessons/visual.html``.

    player = player_view(run, step=4, source=lesson.sources[run.example], title="fetch_data")
    player.steps[3].current, player.variables.current   # the row and the tracker at step 4

Everything is read from the real trace: the rows and the variables' changes from
``Trace.steps``, the event loop panel from ``visualizer.read.analysis`` over the events between this
step and the next (each step carries the time its row began, ``Step.t_ms``), the timeline from
``loopscope.views.timeline``. No event's text is read here: only typed fields.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from cachetools import LRUCache
from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from lessons.models import Lesson
from loopscope.knobs import form_of_run
from loopscope.records import RecordedRun, RunProgress
from loopscope.rendering import MarkdownRenderer
from loopscope.views.timeline import TimelineView, format_ms, near, span_text, timeline_view
from visualizer import AnyEvent, Step, Trace, variable_names
from visualizer.contract.event_words import CAUSES, PLAIN_PHASES, tally
from visualizer.contract.event_words import woken as woken_by
from visualizer.contract.events import NOT_SET, IoWait, Resumed
from visualizer.read.analysis import task_states

_FORMATTER = HtmlFormatter(nowrap=True)
_TICKS = re.compile(r"`([^`]+)`")

# What one step of a run shows, whatever the run's length: the page and every step fragment
# cost the same at step 1 of a 10-row run and at step 3,000 of a capped one.
ROWS_SHOWN = 30  # rows of the execution table and the tracker, around the current step
ROWS_BEFORE = 10  # of which this many come before it (when there are)
VARIABLES_NOW = 8  # "Variables now": the most recently set, when there are more
TRACKER_COLUMNS = 10  # the tracker's columns: set in the rows shown first, then most recent
TIMELINE_LANES = 12  # task lanes: alive at the step first, then closest to it
LOOP_SEGMENTS = 60  # the loop's idle spans, closest to the step
HIGHLIGHTED_BYTES = 8 * 1024 * 1024  # highlighted sources kept, by the size of their HTML
STALLS_LISTED = 20  # stalls told in the run's head; past it, how many more
LOOP_TASKS = 4  # tasks listed in the loop panel: running, then waiting, ready, done
FOLD_CHARS = 80  # a current step's text longer than this shows its start, and folds the rest
# "Variables now" shares the 1280x800 screen with the current step's text, beside the code: a
# step told at length leaves room for fewer variables (never fewer than VARIABLES_MIN). Measured
# in Chromium at 1280 px: a line of step text is 27 px and holds 36 characters (counted as 34),
# a line about a request 22 px (44 characters, counted as 40), a variable 37 px. Seven lines
# of text fit beside all VARIABLES_NOW variables and the line counting the rest; the room
# counts six, for the gaps between the texts (tests/browser/test_big_run_walk.py walks it).
VARIABLES_MIN = 3
TEXT_LINE = (27, 34)
REQUEST_LINE = (22, 40)
VARIABLE_PX = 37
TEXT_ROOM_PX = 6 * 27


def ticks(text: str) -> Markup:
    """Trace text with its backticks as ``<code>``; everything else escaped.

    >>> str(ticks("Enter `async with` <now>"))
    'Enter <code>async with</code> &lt;now&gt;'
    """
    parts = _TICKS.split(text)
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if odd else escape(part)
        for odd, part in ((i % 2 == 1, p) for i, p in enumerate(parts))
    )


@dataclass(frozen=True, slots=True)
class NowText:
    """One of the current step's texts: its start, and the rest when it is long (folded)."""

    label: str
    head: Markup
    rest: Markup | None


def fold_text(label: str, text: str, limit: int = FOLD_CHARS) -> NowText:
    """``text`` whole when short, else cut at a space before ``limit`` (never inside a pair of
    backticks, so each part is whole code).

    >>> fold_text("Result", "short").rest is None
    True
    """
    if len(text) <= limit:
        return NowText(label, ticks(text), None)
    cut = text.rfind(" ", 0, limit)
    while cut > 0 and text.count("`", 0, cut) % 2:
        cut = text.rfind(" ", 0, cut)
    if cut <= 0:
        return NowText(label, ticks(text), None)
    return NowText(label, ticks(text[:cut]), ticks(text[cut:]))


def wrapped_lines(text: str, width: int) -> int:
    """The lines ``text`` takes when wrapped as a browser does at ``width`` characters: a word
    that does not fit starts a new line; a word longer than a line breaks anywhere.

    >>> wrapped_lines("Await client.get('https://api.example.com/json')", 34)
    3
    """
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, 0
        used += len(word) + (1 if used else 0)
        while used > width:
            lines, used = lines + 1, used - width
    return lines


def variables_room(now_text: tuple[NowText, ...], http: tuple[StepRequest, ...]) -> int:
    """How many variables "Variables now" lists beside this step's text (see ``TEXT_ROOM_PX``)."""
    px, width = TEXT_LINE
    used = 0
    for text in now_text:
        plain = text.head.striptags()
        used += px * wrapped_lines(("▶ " + plain + "…") if text.rest else plain, width)
    if len(http) == 1:
        request = http[0]
        px_request, width_request = REQUEST_LINE
        told = f"{request.label}: {', then '.join(request.plain)}"
        used += px_request * (wrapped_lines(told, width_request) + 1)
    elif http:
        used += REQUEST_LINE[0] * 2  # two folded lines: the requests, httpcore's phases
    over = max(used - TEXT_ROOM_PX, 0)
    return max(VARIABLES_NOW - -(-over // VARIABLE_PX), VARIABLES_MIN)


def _highlighted_size(lines: tuple[Markup, ...]) -> int:
    return sum(len(line) for line in lines) + 64 * len(lines)


# Learner code runs to 200 KB, its highlighted HTML to several times that: kept by bytes, and
# by the source too (the key), which the HTML outweighs.
_HIGHLIGHTED: LRUCache[str, tuple[Markup, ...]] = LRUCache(
    maxsize=HIGHLIGHTED_BYTES, getsizeof=_highlighted_size
)
_HIGHLIGHTED_LOCK = threading.Lock()  # players are built in worker threads


def highlighted_lines(source: str) -> tuple[Markup, ...]:
    """One highlighted HTML string per source line (Pygments closes its spans at line ends)."""
    with _HIGHLIGHTED_LOCK:
        found = _HIGHLIGHTED.get(source)
    if found is not None:
        return found
    body = highlight(source, PythonLexer(), _FORMATTER)
    lines = tuple(Markup(line) for line in body.split("\n")[: len(source.splitlines())])
    with _HIGHLIGHTED_LOCK:
        if _highlighted_size(lines) + len(source) <= HIGHLIGHTED_BYTES // 8:
            _HIGHLIGHTED[source] = lines
    return lines


@dataclass(frozen=True, slots=True)
class CodeLine:
    number: int
    html: Markup
    current: bool
    blocked: bool
    raised: bool


@dataclass(frozen=True, slots=True)
class StepRow:
    number: int
    line: int | None
    task: str | None
    action: Markup
    evaluation: Markup
    result: Markup
    current: bool
    blocked: bool


@dataclass(frozen=True, slots=True)
class VariableCell:
    value: str
    changed: bool


@dataclass(frozen=True, slots=True)
class VariableRow:
    step: int
    cells: tuple[VariableCell, ...]
    current: bool


@dataclass(frozen=True, slots=True)
class VariableNow:
    name: str
    value: str
    changed: bool


@dataclass(frozen=True, slots=True)
class Variables:
    names: tuple[str, ...]  # the tracker's columns in the rows shown
    rows: tuple[VariableRow, ...]
    current: tuple[VariableNow, ...]
    hidden_now: int = 0  # variables set by this step that "Variables now" leaves out
    hidden_columns: int = 0  # variables of the run the tracker's window leaves out


@dataclass(frozen=True, slots=True)
class RowWindow:
    """The rows shown around the current step (1-based, inclusive), and where to go for the
    rows before and after them (a step, so every window is one cacheable step page)."""

    first: int
    last: int
    total: int

    @property
    def earlier(self) -> int | None:
        return max(self.first - ROWS_SHOWN + ROWS_BEFORE, 1) if self.first > 1 else None

    @property
    def later(self) -> int | None:
        return min(self.last + 1 + ROWS_BEFORE, self.total) if self.last < self.total else None

    @property
    def partial(self) -> bool:
        return self.first > 1 or self.last < self.total

    @property
    def text(self) -> str:
        return f"steps {self.first:,}\N{EN DASH}{self.last:,} of {self.total:,}"


def row_window(total: int, current: int) -> RowWindow:
    """``ROWS_SHOWN`` rows with ``current`` among them, ``ROWS_BEFORE`` before it if it can.

    >>> row_window(1000, 500)
    RowWindow(first=490, last=519, total=1000)
    """
    first = max(1, min(current - ROWS_BEFORE, total - ROWS_SHOWN + 1))
    return RowWindow(first, min(total, first + ROWS_SHOWN - 1), total)


@dataclass(frozen=True, slots=True)
class LoopTask:
    """One task as the loop panel lists it: its state and the line of text saying it."""

    task: str
    state: str  # "running", "waiting", "ready", "done"
    text: str
    on: str | None = None  # what a waiting task waits on: network, pool, semaphore, tasks…


@dataclass(frozen=True, slots=True)
class LoopPanel:
    """What the event loop did while this step's row was happening."""

    window: str
    tasks: tuple[LoopTask, ...]
    idle_ms: float
    waits: int
    woken_by: tuple[str, ...]
    stalls: tuple[str, ...]
    more: str = ""  # the tasks not listed, counted by state: "and 290 more tasks: 290 done"

    @property
    def idle_text(self) -> str:
        if not self.waits:
            return "The loop never slept in the OS selector during this step: it ran Python code."
        times = "once" if self.waits == 1 else f"{self.waits} times"
        return (
            f"The loop slept in the OS selector {times}, {format_ms(self.idle_ms)} ms in all:"
            " no task had anything to do until the OS said so."
        )


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """How the run ended, for the run's header."""

    result: str | None
    error: str | None
    error_line: int | None
    warnings: tuple[str, ...]
    stopped: str | None
    stalls: tuple[str, ...]
    wall_ms: str
    output: str
    requests: str = ""  # "4 (2 answered; 2 PoolTimeout, never on the wire)"
    cut: str | None = None  # the table stops short of a run that ended (the step cap)


@dataclass(frozen=True, slots=True)
class StepRequest:
    """A request at work during one step: plain words first, httpcore's own names kept apart."""

    label: str  # "request 1, GET https://api.example.com/data (200 OK)"
    plain: tuple[str, ...]  # ("opening a TCP connection", "the TLS handshake", ...)
    internals: tuple[str, ...]  # ("connect_tcp", "start_tls", ...)


@dataclass(frozen=True, slots=True)
class PlayerView:
    """One run at one step: everything ``templates/lessons/_player.html`` shows, ready to print."""

    run_id: str
    call: str
    knobs: tuple[tuple[str, str], ...]
    example_title: str
    step: int
    total: int
    current: StepRow
    code: tuple[CodeLine, ...]
    steps: tuple[StepRow, ...]
    variables: Variables
    loop: LoopPanel
    timeline: TimelineView
    now_pct: float
    outcome: RunOutcome
    http: tuple[StepRequest, ...] = ()
    rows: RowWindow | None = None  # which rows ``steps`` and the tracker hold
    now_text: tuple[NowText, ...] = ()  # the current step's action, evaluation and result

    @property
    def first(self) -> int:
        return 1

    @property
    def previous(self) -> int:
        return max(self.step - 1, 1)

    @property
    def next(self) -> int:
        return min(self.step + 1, self.total)

    @property
    def status(self) -> str:
        return f"Step {self.step} of {self.total}"

    @property
    def windowed(self) -> bool:
        """The tables or the timeline show part of the run: a step brings its own windows."""
        return bool((self.rows and self.rows.partial) or self.timeline.hidden_tasks)


def clamp_step(trace: Trace, step: int | None) -> int:
    total = max(len(trace.steps), 1)
    return min(max(step or 1, 1), total)


def _blocked_lines(trace: Trace) -> set[int]:
    return {stall.line for stall in trace.blocked if stall.line is not None}


def _rows(trace: Trace, current: int, window: RowWindow) -> tuple[StepRow, ...]:
    blocked = _blocked_lines(trace)
    return tuple(
        StepRow(
            number=s.step,
            line=s.line,
            task=s.task,
            action=ticks(s.action),
            evaluation=ticks(s.evaluation),
            result=ticks(s.result),
            current=s.step == current,
            blocked=s.line in blocked and s.task is not None,
        )
        for s in trace.steps[window.first - 1 : window.last]
    )


def _variables(
    steps: tuple[Step, ...], current: int, window: RowWindow, room: int = VARIABLES_NOW
) -> Variables:
    """The tracker's rows in ``window`` and the variables at ``current``, folded from each
    step's changes in one pass (never a full state per step: a big run has hundreds of names).
    A cell is changed where its step's line changed it."""
    names = variable_names(steps[: window.last])
    order = {name: index for index, name in enumerate(names)}
    state: dict[str, str] = {}
    last_set: dict[str, int] = {}
    for s in steps[: window.first - 1]:
        state.update(s.changes)
        last_set.update(dict.fromkeys(s.changes, s.step))
    shown = steps[window.first - 1 : window.last]
    if len(names) <= TRACKER_COLUMNS:
        columns = names
    else:
        in_window = dict.fromkeys(name for s in shown for name in s.changes)
        earlier = sorted((n for n in state if n not in in_window), key=lambda n: -last_set[n])
        columns = tuple(sorted([*in_window, *earlier][:TRACKER_COLUMNS], key=order.__getitem__))
    rows: list[VariableRow] = []
    at_current: dict[str, str] = {}
    set_at: dict[str, int] = {}
    for s in shown:
        state.update(s.changes)
        last_set.update(dict.fromkeys(s.changes, s.step))
        cells = tuple(
            VariableCell(state.get(name, NOT_SET), s.step > 1 and name in s.changes)
            for name in columns
        )
        rows.append(VariableRow(s.step, cells, s.step == current))
        if s.step == current:
            at_current, set_at = dict(state), dict(last_set)
    now = steps[current - 1] if steps else None
    everything = variable_names(steps)
    if len(everything) <= room:
        listed = everything
    else:
        recent = sorted(at_current, key=lambda n: -set_at[n])[:room]
        listed = tuple(sorted(recent, key=order.__getitem__))
    changed = now.changes if now is not None and now.step > 1 else {}
    return Variables(
        names=columns,
        rows=tuple(rows),
        current=tuple(
            VariableNow(name, at_current.get(name, NOT_SET), name in changed) for name in listed
        ),
        hidden_now=max(len(at_current) - len(listed), 0),
        hidden_columns=len(everything) - len(columns),
    )


def _window(trace: Trace, current: int) -> tuple[float, float]:
    times = [s.t_ms for s in trace.steps]
    start = times[current - 1] if times and times[current - 1] is not None else 0.0
    later = [t for t in times[current:] if t is not None]
    end = later[0] if later else max(trace.wall_ms, trace.events[-1].t_ms if trace.events else 0)
    return start or 0.0, end


def _task_states(events: tuple[AnyEvent, ...], end: float, running: str | None) -> list[LoopTask]:
    """Each learner task's state just before ``end``, agreeing with the step's row: a task
    suspended at an await is waiting (and says on what), not running."""
    states: list[LoopTask] = []
    for found in task_states(events, until_ms=end):
        task, where = found.task, f" at line {found.line}" if found.line is not None else ""
        if found.state == "waiting":
            text = f"task {task}: suspended{where}, waiting for {found.waiting_on}"
            states.append(LoopTask(task, "waiting", text, found.on))
        elif found.state == "done":
            states.append(LoopTask(task, "done", f"task {task}: done ({found.outcome})"))
        elif task == running:
            states.append(LoopTask(task, "running", f"task {task}: running (this step)"))
        else:
            states.append(LoopTask(task, "ready", f"task {task}: ready to run{where}"))
    order = {"running": 0, "waiting": 1, "ready": 2, "done": 3}
    return sorted(states, key=lambda s: (order.get(s.state, 4), s.task))


def _more_tasks(rest: list[LoopTask]) -> str:
    """``"and 290 more tasks: 287 done, 3 ready"`` for the tasks the loop panel leaves out."""
    if not rest:
        return ""
    counts: dict[str, int] = {}
    for task in rest:
        counts[task.state] = counts.get(task.state, 0) + 1
    parts = ", ".join(f"{n:,} {state}" for state, n in sorted(counts.items()))
    return f"and {len(rest):,} more tasks: {parts}"


def _moment(trace: Trace, step: Step | None, start: float, end: float) -> float:
    """When to read the tasks' states for a step: its end, or for a wait row the moment before
    its task last resumed (so the panel says it waits, and on what, as the row does)."""
    if step is None or not step.waiting:
        return end
    resumes = [
        e.t_ms
        for e in trace.events
        if isinstance(e, Resumed) and e.task == step.task and start <= e.t_ms < end
    ]
    return resumes[-1] if resumes else end


def _loop_panel(trace: Trace, current: int) -> LoopPanel:
    start, end = _window(trace, current)
    step = trace.steps[current - 1] if trace.steps else None
    running = step.task if step is not None and not step.waiting else None
    waits = [e for e in trace.events if isinstance(e, IoWait) and start <= e.t_ms <= end]
    stalls = [s for s in trace.blocked if start <= s.end_ms <= end]
    woken = tally(reason for wait in waits for reason in woken_by(wait.woken))
    states = _task_states(trace.events, _moment(trace, step, start, end), running)
    return LoopPanel(
        window=span_text(start, end),
        tasks=tuple(states[:LOOP_TASKS]),
        more=_more_tasks(states[LOOP_TASKS:]),
        idle_ms=sum(wait.ms for wait in waits),
        waits=len(waits),
        woken_by=woken,
        stalls=tuple(
            f"task {s.task} held the loop for {format_ms(s.ms)} ms at line {s.line}"
            f" ({CAUSES[s.cause]}): no other task could run"
            for s in stalls
        ),
    )


def step_requests(trace: Trace, current: int) -> tuple[StepRequest, ...]:
    """The requests with a phase during this step's window, their phases told plainly."""
    start, end = _window(trace, current)
    found: list[StepRequest] = []
    for request in trace.requests:
        phases = [
            phase
            for phase in request.phases
            if phase.start_ms <= end
            and (phase.end_ms if phase.end_ms is not None else end) >= start
            and phase.name in PLAIN_PHASES
        ]
        if not phases:
            continue
        plain: list[str] = []
        for phase in phases:
            words = PLAIN_PHASES[phase.name] + ("" if phase.ok else " (failed)")
            if not plain or plain[-1] != words:
                plain.append(words)
        answered = request.status is not None and request.end_ms <= end
        status = f" ({request.status})" if answered else ""
        found.append(
            StepRequest(
                label=f"request {request.number}, {request.method} {request.url}{status}",
                plain=tuple(plain),
                internals=tuple(phase.name for phase in phases),
            )
        )
    return tuple(found)


def outcome(trace: Trace) -> RunOutcome:
    error = f"{trace.error.type}: {trace.error.message}" if trace.error else None
    cut = trace.cut.text if trace.cut is not None else None
    stalls = [
        f"task {s.task} blocked the loop for {format_ms(s.ms)} ms at line {s.line}:"
        f" {CAUSES[s.cause]}"
        for s in trace.blocked[:STALLS_LISTED]
    ]
    if len(trace.blocked) > STALLS_LISTED:
        stalls.append(f"and {len(trace.blocked) - STALLS_LISTED:,} more times")
    return RunOutcome(
        result=trace.result,
        error=error,
        error_line=trace.error.line if trace.error else None,
        warnings=trace.warnings,
        stopped=cut
        if trace.stopped is not None and cut is not None
        else {
            "time": "the run passed its time limit and was stopped",
            "steps": "the run passed its step limit and was stopped",
            "output": "the run printed too much and was stopped",
        }.get(trace.stopped or ""),
        stalls=tuple(stalls),
        wall_ms=format_ms(trace.wall_ms),
        output=trace.output,
        requests=requests_text(trace),
        cut=cut if trace.stopped is None else None,
    )


def requests_text(trace: Trace) -> str:
    """How the run's requests ended, from its request records: ``3 (2 answered; 1
    cancelled)``; a request that never got a connection is said to be so."""
    entries = trace.request_entries
    if not entries:
        return ""
    answered = sum(1 for entry in entries if entry.outcome == "response")
    parts = [f"{answered} answered"] if answered else []
    endings: dict[str, int] = {}
    for entry in entries:
        if entry.outcome in ("error", "cancelled"):
            ending = "cancelled" if entry.outcome == "cancelled" else entry.error or "failed"
            if not entry.on_wire:
                ending += ", never on the wire"
            endings[ending] = endings.get(ending, 0) + 1
    parts += [f"{count} {ending}" for ending, count in endings.items()]
    unfinished = sum(1 for entry in entries if entry.outcome is None)
    if unfinished:
        parts.append(f"{unfinished} unfinished")
    return f"{len(entries)} ({'; '.join(parts)})"


def player_view(run: RecordedRun, *, step: int | None, source: str, title: str) -> PlayerView:
    trace = run.trace
    current = clamp_step(trace, step)
    window = row_window(len(trace.steps), current)
    rows = _rows(trace, current, window)
    now = trace.steps[current - 1] if trace.steps else None
    blocked = _blocked_lines(trace)
    error_line = trace.error.line if trace.error else None
    start, _ = _window(trace, current)
    timeline = near(timeline_view(trace), start, lanes=TIMELINE_LANES, segments=LOOP_SEGMENTS)
    http = step_requests(trace, current)
    now_text = tuple(
        fold_text(label, text)
        for label, text in (
            ("Action", now.action if now else ""),
            ("Evaluation", now.evaluation if now else ""),
            ("Result", now.result if now else ""),
        )
    )
    return PlayerView(
        run_id=run.id,
        call=run.call,
        knobs=run.knobs,
        example_title=title,
        step=current,
        total=len(trace.steps),
        current=rows[current - window.first],
        code=tuple(
            CodeLine(
                number,
                html,
                current=now is not None and now.line == number,
                blocked=number in blocked,
                raised=number == error_line,
            )
            for number, html in enumerate(highlighted_lines(source), start=1)
        ),
        steps=rows,
        variables=_variables(trace.steps, current, window, variables_room(now_text, http)),
        loop=_loop_panel(trace, current),
        timeline=timeline,
        now_pct=round(min(max(start / timeline.scale_ms * 100, 0.0), 100.0), 3),
        outcome=outcome(trace),
        http=http,
        rows=window,
        now_text=now_text,
    )


def _sentence(label: str, text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    # Trace text often starts with code (``fetch_data is …``): label it rather than capitalise it.
    return f"{label}{text}" if text.endswith((".", "!", "?", "…")) else f"{label}{text}."


def transcript(trace: Trace, rows: RowWindow | None = None) -> tuple[Markup, ...]:
    """The steps of ``rows`` (default: the first ``ROWS_SHOWN``) told as prose, one item per
    step, then how the run ended; a longer run says where the rest is told."""
    rows = rows or row_window(len(trace.steps), 1)
    told: list[Markup] = []
    if rows.first > 1:
        told.append(ticks(f"Steps 1 to {rows.first - 1:,} are told in the execution table."))
    for s in trace.steps[rows.first - 1 : rows.last]:
        where = f" (line {s.line}" + (f", task {s.task})" if s.task else ")") if s.line else ""
        parts = [f"Step {s.step}{where}: {_sentence('', s.action)}"]
        parts += [_sentence("What happens: ", s.evaluation), _sentence("Result: ", s.result)]
        told.append(ticks(" ".join(p for p in parts if p)))
    if rows.last < rows.total:
        told.append(
            ticks(f"Steps {rows.last + 1:,} to {rows.total:,} are told in the execution table.")
        )
    for stall in trace.blocked[:VARIABLES_NOW]:
        told.append(
            ticks(
                f"Task {stall.task} blocked the event loop for {format_ms(stall.ms)} ms at"
                f" line {stall.line}: nothing else could run meanwhile."
            )
        )
    for warning in trace.warnings:
        told.append(ticks(f"Python warned: {warning}."))
    if trace.error:
        told.append(
            ticks(
                f"The run ended with {trace.error.type}: {trace.error.message}"
                + (f", raised at line {trace.error.line}." if trace.error.line else ".")
            )
        )
    told.append(ticks(f"The whole call took {format_ms(trace.wall_ms)} ms."))
    return tuple(told)


# --- the knob forms ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChoiceOption:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True, slots=True)
class KnobView:
    id: str
    field_id: str
    label: str
    kind: str
    help: Markup
    value: str
    min: float | None
    max: float | None
    step: float | None
    options: tuple[ChoiceOption, ...]

    @property
    def checked(self) -> bool:
        return self.value == "true"


@dataclass(frozen=True, slots=True)
class KnobFormView:
    number: int
    title: str
    intro: Markup
    call_template: str
    knobs: tuple[KnobView, ...]
    current: bool  # the run on the page came from this form


def knob_forms(
    lesson: Lesson, md: MarkdownRenderer, run_knobs: tuple[tuple[str, str], ...]
) -> tuple[KnobFormView, ...]:
    """Every run form of the lesson; the one the shown run came from holds that run's values."""
    current = form_of_run(lesson, run_knobs)
    used = dict(run_knobs)
    forms: list[KnobFormView] = []
    for number, item in enumerate(lesson.visual.examples):
        mine = number == current
        knobs = []
        for knob in item.knobs:
            value = used.get(knob.id, knob.default) if mine else knob.default
            knobs.append(
                KnobView(
                    id=knob.id,
                    field_id=f"knob-{number}-{knob.id}",
                    label=knob.label,
                    kind=knob.kind,
                    help=md.inline(knob.help) if knob.help else Markup(""),
                    value=value,
                    min=knob.min,
                    max=knob.max,
                    step=knob.step,
                    options=tuple(
                        ChoiceOption(key, label, key == value)
                        for key, label in knob.choices.items()
                    ),
                )
            )
        forms.append(
            KnobFormView(
                number=number,
                title=lesson.meta.examples[item.example].title,
                intro=md.block(item.intro) if item.intro else Markup(""),
                call_template=item.call_template or lesson.meta.examples[item.example].call,
                knobs=tuple(knobs),
                current=mine,
            )
        )
    return tuple(forms)


@dataclass(frozen=True, slots=True)
class RunDownloads:
    """Where a run's files are: its trace JSON and its Chrome/Perfetto export."""

    trace: str
    perfetto: str


# --- a run being recorded ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PendingView:
    text: str
    poll_url: str


def pending_view(progress: RunProgress | None, poll_url: str) -> PendingView:
    """The placeholder's words: where the run is in the engine's queue."""
    if progress is not None and progress.state == "queued":
        ahead = progress.ahead
        where = f"queued: {ahead} ahead" if ahead else "next in line"
        return PendingView(f"Recording a real run… ({where})", poll_url)
    return PendingView("Recording a real run… (running now)", poll_url)
