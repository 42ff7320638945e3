"""Perf mode: each comparison of perf.yaml measured by two real runs, slow side and fast side.

    count = count_parameter(ctx, comparison)             # can the learner choose N calls?
    calls = side_calls(ctx, comparison, n=5)             # the two call expressions to run
    slow, fast = await measure_sides(traces, lesson, comparison, (calls.slow, calls.fast), ...)
    view = comparison_view(ctx, comparison, measured=measurement(comparison, slow, fast, now))

(``measure_sides`` is the Runs layer's: ``loopscope.runs.perf``.) Every figure on the page is
read from a ``Trace`` that ``TraceService`` recorded, now or earlier
(an identical recorded run is reused, and the page says so, with its time). Nothing is estimated.

Choosing N: a comparison takes N when the function each side calls has a parameter that says
how many calls to make. Two shapes are understood, read from the example's source with ``ast``:
an ``int`` parameter named ``n`` (the call becomes ``main(n=5)``), or a parameter whose default
is a module-level tuple, such as ``urls=URLS`` (the call becomes ``one_by_one(URLS[:1] * 5)``:
N calls of the example's first URL, so that every call takes as long and gather's gain is about
N). The call that runs is shown on the page.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from markupsafe import Markup

from lessons.models import Evidence, Lesson, PerfComparison
from loopscope.records import RecordedRun
from loopscope.views.common import LessonContext
from loopscope.views.timeline import TimelineView, format_ms, shared_scale, timeline_view
from visualizer.appdriver import shown_call
from visualizer.syntax import parse_expression, parse_module

N_MIN: Final = 1
N_MAX: Final = 10
Metric = Literal["wall_ms", "tcp_connects", "blocked_ms"]

METRIC_LABELS: Final[dict[Metric, str]] = {
    "wall_ms": "Wall time",
    "tcp_connects": "TCP connections opened",
    "blocked_ms": "Time the loop was blocked",
}


# --- N: how many calls ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountParameter:
    """How one side's call takes N: ``main(n=N)`` or ``f(URLS[:1] * N)``."""

    function: str
    parameter: str
    default: int
    repeats: str | None = None  # the module-level tuple whose first item is repeated, "URLS"

    def call(self, n: int) -> str:
        if self.repeats is not None:
            return f"{self.function}({self.repeats}[:1] * {n})"
        return f"{self.function}({self.parameter}={n})"


def _called_function(call: str) -> str | None:
    """``"main()"`` -> ``"main"``; None for anything but a bare call without arguments."""
    try:
        tree = parse_expression(call)
    except SyntaxError:
        return None
    node = tree.body
    bare = isinstance(node, ast.Call) and not node.args and not node.keywords
    if bare and isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id
    return None


def _tuple_constants(module: ast.Module) -> dict[str, int]:
    found: dict[str, int] = {}
    for statement in module.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        if isinstance(value, ast.Tuple) and value.elts:
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = len(value.elts)
    return found


def parameter_of(source: str, call: str) -> CountParameter | None:
    """How ``call`` (a call of a function in ``source``) could take N, if it can."""
    function = _called_function(call)
    if function is None:
        return None
    module = parse_module(source)
    tuples = _tuple_constants(module)
    for statement in module.body:
        if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if statement.name != function:
            continue
        arguments = statement.args
        positional = arguments.posonlyargs + arguments.args
        defaults = dict(
            zip(
                [a.arg for a in positional[len(positional) - len(arguments.defaults) :]],
                arguments.defaults,
                strict=True,
            )
        )
        for arg in positional:
            default = defaults.get(arg.arg)
            if arg.arg == "n" and isinstance(default, ast.Constant) and type(default.value) is int:
                return CountParameter(function, "n", default.value)
            if isinstance(default, ast.Name) and default.id in tuples:
                return CountParameter(function, arg.arg, tuples[default.id], repeats=default.id)
    return None


def _side_call(lesson: Lesson, evidence: Evidence) -> str:
    return evidence.call or lesson.meta.examples[evidence.example].call


def count_parameters(
    lesson: Lesson, comparison: PerfComparison
) -> tuple[CountParameter, CountParameter] | None:
    """Both sides' ways of taking N, or None when either side cannot."""
    sides = []
    for evidence in (comparison.slow, comparison.fast):
        found = parameter_of(lesson.sources[evidence.example], _side_call(lesson, evidence))
        if found is None:
            return None
        sides.append(found)
    return sides[0], sides[1]


@dataclass(frozen=True, slots=True)
class SideCalls:
    slow: str
    fast: str
    n: int | None  # None: the example's own call, as perf.yaml gives it


def side_calls(lesson: Lesson, comparison: PerfComparison, n: int | None) -> SideCalls:
    """The two expressions to run; raises ``ValueError`` when N is given but cannot apply."""
    if n is None:
        return SideCalls(
            _side_call(lesson, comparison.slow), _side_call(lesson, comparison.fast), None
        )
    if not N_MIN <= n <= N_MAX:
        raise ValueError(f"the number of calls must be between {N_MIN} and {N_MAX}")
    parameters = count_parameters(lesson, comparison)
    if parameters is None:
        raise ValueError(f"the comparison {comparison.id!r} does not take a number of calls")
    return SideCalls(parameters[0].call(n), parameters[1].call(n), n)


# --- view data --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FigureRow:
    label: str
    slow: str
    fast: str
    is_metric: bool = False


@dataclass(frozen=True, slots=True)
class RunView:
    side: Literal["slow", "fast"]
    run_id: str
    example: str
    call: str
    recorded_at: str  # ISO 8601, for <time datetime>
    recorded_at_text: str
    reused: bool
    error: str | None
    stopped: str | None
    timeline: TimelineView

    @property
    def provenance(self) -> str:
        how = "reused from an identical run recorded" if self.reused else "recorded now, at"
        return f"{how} {self.recorded_at_text}"


@dataclass(frozen=True, slots=True)
class Measurement:
    slow: RunView
    fast: RunView
    figures: tuple[FigureRow, ...]
    verdict: str
    calls: int
    n: int | None


def _ratio_text(slow: float, fast: float) -> str:
    return f"{slow / fast:.1f}x"


def verdict(metric: Metric, slow: RecordedRun, fast: RecordedRun) -> str:
    """The comparison in one sentence, from the two runs' figures only."""
    s, f = slow.trace, fast.trace
    calls = len(s.requests)
    # The calls name the sides, unless both sides make the same call in different files.
    same = fast.call == slow.call
    fast_call = f"{fast.example}.py" if same else shown_call(fast.call)
    slow_call = f"{slow.example}.py" if same else shown_call(slow.call)
    for_calls = f" for {calls} call{'s' if calls != 1 else ''}"
    if s.error is not None or f.error is not None:
        return "A run ended with an exception, so the two sides are not compared."
    if metric == "tcp_connects":
        if f.tcp_connects and s.tcp_connects > f.tcp_connects:
            ratio = _ratio_text(s.tcp_connects, f.tcp_connects)
            return (
                f"{fast_call}: {ratio} fewer TCP connections{for_calls}"
                f" ({f.tcp_connects} vs {s.tcp_connects}), in {format_ms(f.wall_ms)} ms"
                f" vs {format_ms(s.wall_ms)} ms."
            )
        return (
            f"{fast_call} opened {f.tcp_connects} TCP connections and {slow_call}"
            f" {s.tcp_connects}{for_calls}."
        )
    if metric == "blocked_ms":
        held = (
            "never blocked the loop"
            if f.blocked_ms == 0
            else f"blocked the loop for {format_ms(f.blocked_ms)} ms"
        )
        speed = (
            f", and finished {_ratio_text(s.wall_ms, f.wall_ms)} faster"
            f" ({format_ms(f.wall_ms)} ms vs {format_ms(s.wall_ms)} ms)"
            if f.wall_ms and s.wall_ms > f.wall_ms
            else ""
        )
        return (
            f"{slow_call} blocked the loop for {format_ms(s.blocked_ms)} ms;"
            f" {fast_call} {held}{speed}."
        )
    if f.wall_ms and s.wall_ms > f.wall_ms:
        return (
            f"{fast_call}: {_ratio_text(s.wall_ms, f.wall_ms)} faster{for_calls}"
            f" ({format_ms(f.wall_ms)} ms vs {format_ms(s.wall_ms)} ms)."
        )
    return (
        f"{fast_call} was not faster this time{for_calls}"
        f" ({format_ms(f.wall_ms)} ms vs {format_ms(s.wall_ms)} ms)."
    )


def figures(metric: Metric, slow: RecordedRun, fast: RecordedRun) -> tuple[FigureRow, ...]:
    s, f = slow.trace, fast.trace

    def yes_no(value: bool) -> str:
        return "yes" if value else "no"

    return (
        FigureRow("Wall time", f"{format_ms(s.wall_ms)} ms", f"{format_ms(f.wall_ms)} ms",
                  metric == "wall_ms"),
        FigureRow("TCP connections opened", str(s.tcp_connects), str(f.tcp_connects),
                  metric == "tcp_connects"),
        FigureRow("Time the loop was blocked", f"{format_ms(s.blocked_ms)} ms",
                  f"{format_ms(f.blocked_ms)} ms", metric == "blocked_ms"),
        FigureRow("HTTP requests", str(len(s.requests)), str(len(f.requests))),
        FigureRow("Requests in flight at once", yes_no(s.requests_overlap),
                  yes_no(f.requests_overlap)),
        FigureRow("Ended with", _ending(slow), _ending(fast)),
    )  # fmt: skip


def _ending(run: RecordedRun) -> str:
    trace = run.trace
    if trace.stopped is not None:
        return f"stopped at the {trace.stopped} limit"
    if trace.error is not None:
        return f"{trace.error.type}: {trace.error.message}"
    return f"returned {trace.result}" if trace.result is not None else "returned"


def _run_view(
    side: Literal["slow", "fast"], run: RecordedRun, since: datetime, scale_ms: float
) -> RunView:
    local = run.created_at.astimezone()
    trace = run.trace
    return RunView(
        side=side,
        run_id=run.id,
        example=run.example,
        call=shown_call(run.call),
        recorded_at=run.created_at.isoformat(),
        recorded_at_text=local.strftime("%H:%M:%S on %Y-%m-%d"),
        reused=run.created_at < since,
        error=f"{trace.error.type}: {trace.error.message}" if trace.error else None,
        stopped=trace.stopped,
        timeline=timeline_view(trace, scale_ms=scale_ms),
    )


def measurement(
    comparison: PerfComparison,
    slow: RecordedRun,
    fast: RecordedRun,
    *,
    since: datetime,
    n: int | None,
) -> Measurement:
    """``since``: when this request began; a run recorded before it was reused, not run now."""
    scale = shared_scale(slow.trace, fast.trace)
    return Measurement(
        slow=_run_view("slow", slow, since, scale),
        fast=_run_view("fast", fast, since, scale),
        figures=figures(comparison.metric, slow, fast),
        verdict=verdict(comparison.metric, slow, fast),
        calls=len(slow.trace.requests),
        n=n,
    )


@dataclass(frozen=True, slots=True)
class SideCode:
    title: str
    example: str
    call: str
    code: Markup


@dataclass(frozen=True, slots=True)
class CountChoice:
    """The N form: its current value and bounds."""

    value: int
    default: int
    min: int = N_MIN
    max: int = N_MAX


@dataclass(frozen=True, slots=True)
class ComparisonView:
    id: str
    title: str
    claim: Markup
    metric: Metric
    metric_label: str
    slow: SideCode
    fast: SideCode
    same_file: bool
    count: CountChoice | None
    n: int | None
    measured: Measurement | None = None
    # Why there are no figures: the engine is busy, or a run could not be recorded.
    problem: str | None = None
    retry: bool = False


@dataclass(frozen=True, slots=True)
class PerfView:
    intro: Markup
    comparisons: tuple[ComparisonView, ...]

    def comparison(self, comparison_id: str) -> ComparisonView:
        return next(c for c in self.comparisons if c.id == comparison_id)


def comparison_view(
    ctx: LessonContext,
    comparison: PerfComparison,
    *,
    n: int | None = None,
    measured: Measurement | None = None,
    problem: str | None = None,
    retry: bool = False,
) -> ComparisonView:
    lesson, md = ctx.lesson, ctx.md
    calls = side_calls(lesson, comparison, n)
    parameters = count_parameters(lesson, comparison)
    examples = lesson.meta.examples
    return ComparisonView(
        id=comparison.id,
        title=comparison.title,
        claim=md.block(comparison.claim),
        metric=comparison.metric,
        metric_label=METRIC_LABELS[comparison.metric],
        slow=SideCode(
            examples[comparison.slow.example].title,
            comparison.slow.example,
            shown_call(calls.slow),
            md.code(comparison.slow.example),
        ),
        fast=SideCode(
            examples[comparison.fast.example].title,
            comparison.fast.example,
            shown_call(calls.fast),
            md.code(comparison.fast.example),
        ),
        same_file=comparison.slow.example == comparison.fast.example,
        count=(
            CountChoice(value=n or parameters[0].default, default=parameters[0].default)
            if parameters is not None
            else None
        ),
        n=n,
        measured=measured,
        problem=problem,
        retry=retry,
    )


def find_comparison(lesson: Lesson, comparison_id: str) -> PerfComparison | None:
    return next((c for c in lesson.perf.comparisons if c.id == comparison_id), None)


def perf_view(ctx: LessonContext, shown: dict[str, ComparisonView] | None = None) -> PerfView:
    """The page; comparisons not in ``shown`` are placeholders that load their runs."""
    shown = shown or {}
    return PerfView(
        intro=ctx.md.block(ctx.lesson.perf.intro),
        comparisons=tuple(
            shown.get(c.id) or comparison_view(ctx, c) for c in ctx.lesson.perf.comparisons
        ),
    )
