"""Visual mode's player: one recorded run at one step, as view data for ``lessons/visual.html``.

    player = player_view(run, step=4, source=lesson.sources[run.example], title="fetch_data")
    player.steps[3].current, player.variables.current   # the row and the tracker at step 4

Everything is read from the real trace: the rows and the variables' changes from
``Trace.steps``, the event loop panel from ``visualizer.analysis`` over the events between this
step and the next (each step carries the time its row began, ``Step.t_ms``), the timeline from
``loopscope.views.timeline``. No event's text is read here: only typed fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from lessons.models import Lesson
from loopscope.knobs import form_of_run
from loopscope.rendering import MarkdownRenderer
from loopscope.tracing import RecordedRun, RunProgress
from loopscope.views.timeline import TimelineView, format_ms, span_text, timeline_view
from visualizer import AnyEvent, Step, Trace, variable_names, variable_states
from visualizer.analysis import task_states
from visualizer.events import IoWait, Resumed
from visualizer.wording import CAUSES, PLAIN_PHASES, tally
from visualizer.wording import woken as woken_by

_FORMATTER = HtmlFormatter(nowrap=True)
_TICKS = re.compile(r"`([^`]+)`")


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


@lru_cache(maxsize=64)
def highlighted_lines(source: str) -> tuple[Markup, ...]:
    """One highlighted HTML string per source line (Pygments closes its spans at line ends)."""
    body = highlight(source, PythonLexer(), _FORMATTER)
    return tuple(Markup(line) for line in body.split("\n")[: len(source.splitlines())])


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
    names: tuple[str, ...]
    rows: tuple[VariableRow, ...]
    current: tuple[VariableNow, ...]


@dataclass(frozen=True, slots=True)
class TaskState:
    task: str
    state: str  # "running", "waiting", "ready", "done"
    text: str
    on: str | None = None  # what a waiting task waits on: network, pool, semaphore, tasks…


@dataclass(frozen=True, slots=True)
class LoopPanel:
    """What the event loop did while this step's row was happening."""

    window: str
    tasks: tuple[TaskState, ...]
    idle_ms: float
    waits: int
    woken_by: tuple[str, ...]
    stalls: tuple[str, ...]

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
class Outcome:
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
    outcome: Outcome
    http: tuple[StepRequest, ...] = ()

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


def clamp_step(trace: Trace, step: int | None) -> int:
    total = max(len(trace.steps), 1)
    return min(max(step or 1, 1), total)


def _blocked_lines(trace: Trace) -> set[int]:
    return {stall.line for stall in trace.blocked if stall.line is not None}


def _rows(trace: Trace, current: int) -> tuple[StepRow, ...]:
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
        for s in trace.steps
    )


def _variables(steps: tuple[Step, ...], current: int) -> Variables:
    """The tracker, rebuilt from each step's changes; a cell changed where its step set it."""
    names = variable_names(steps)
    rows: list[VariableRow] = []
    before: dict[str, str] = {}
    for number, (s, state) in enumerate(zip(steps, variable_states(steps), strict=True)):
        cells = tuple(
            VariableCell(state[name], number > 0 and state[name] != before[name]) for name in names
        )
        rows.append(VariableRow(s.step, cells, s.step == current))
        before = state
    now = rows[current - 1] if rows else None
    return Variables(
        names=names,
        rows=tuple(rows),
        current=tuple(
            VariableNow(name, cell.value, cell.changed)
            for name, cell in zip(names, now.cells if now else (), strict=False)
        ),
    )


def _window(trace: Trace, current: int) -> tuple[float, float]:
    times = [s.t_ms for s in trace.steps]
    start = times[current - 1] if times and times[current - 1] is not None else 0.0
    later = [t for t in times[current:] if t is not None]
    end = later[0] if later else max(trace.wall_ms, trace.events[-1].t_ms if trace.events else 0)
    return start or 0.0, end


def _task_states(events: tuple[AnyEvent, ...], end: float, running: str | None) -> list[TaskState]:
    """Each learner task's state just before ``end``, agreeing with the step's row: a task
    suspended at an await is waiting (and says on what), not running."""
    states: list[TaskState] = []
    for found in task_states(events, until_ms=end):
        task, where = found.task, f" at line {found.line}" if found.line is not None else ""
        if found.state == "waiting":
            text = f"task {task}: suspended{where}, waiting for {found.waiting_on}"
            states.append(TaskState(task, "waiting", text, found.on))
        elif found.state == "done":
            states.append(TaskState(task, "done", f"task {task}: done ({found.outcome})"))
        elif task == running:
            states.append(TaskState(task, "running", f"task {task}: running (this step)"))
        else:
            states.append(TaskState(task, "ready", f"task {task}: ready to run{where}"))
    return sorted(states, key=lambda s: (s.state != "running", s.task))


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
    return LoopPanel(
        window=span_text(start, end),
        tasks=tuple(_task_states(trace.events, _moment(trace, step, start, end), running)),
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


def outcome(trace: Trace) -> Outcome:
    error = f"{trace.error.type}: {trace.error.message}" if trace.error else None
    return Outcome(
        result=trace.result,
        error=error,
        error_line=trace.error.line if trace.error else None,
        warnings=trace.warnings,
        stopped={
            "time": "the run passed its time limit and was stopped",
            "steps": "the run passed its step limit and was stopped",
            "output": "the run printed too much and was stopped",
        }.get(trace.stopped or ""),
        stalls=tuple(
            f"task {s.task} blocked the loop for {format_ms(s.ms)} ms at line {s.line}:"
            f" {CAUSES[s.cause]}"
            for s in trace.blocked
        ),
        wall_ms=format_ms(trace.wall_ms),
        output=trace.output,
        requests=requests_text(trace),
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
    rows = _rows(trace, current)
    now = trace.steps[current - 1] if trace.steps else None
    blocked = _blocked_lines(trace)
    error_line = trace.error.line if trace.error else None
    timeline = timeline_view(trace)
    start, _ = _window(trace, current)
    return PlayerView(
        run_id=run.id,
        call=run.call,
        knobs=run.knobs,
        example_title=title,
        step=current,
        total=len(rows),
        current=rows[current - 1],
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
        variables=_variables(trace.steps, current),
        loop=_loop_panel(trace, current),
        timeline=timeline,
        now_pct=round(min(max(start / timeline.scale_ms * 100, 0.0), 100.0), 3),
        outcome=outcome(trace),
        http=step_requests(trace, current),
    )


def _sentence(label: str, text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    # Trace text often starts with code (``fetch_data is …``): label it rather than capitalise it.
    return f"{label}{text}" if text.endswith((".", "!", "?", "…")) else f"{label}{text}."


def transcript(trace: Trace) -> tuple[Markup, ...]:
    """Every step of the run told as prose, one item per step, then how the run ended."""
    told: list[Markup] = []
    for s in trace.steps:
        where = f" (line {s.line}" + (f", task {s.task})" if s.task else ")") if s.line else ""
        parts = [f"Step {s.step}{where}: {_sentence('', s.action)}"]
        parts += [_sentence("What happens: ", s.evaluation), _sentence("Result: ", s.result)]
        told.append(ticks(" ".join(p for p in parts if p)))
    for stall in trace.blocked:
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
