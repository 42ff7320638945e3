"""``loopscope lessons check``: validate every lesson, then prove its claims by running them.

Every runnable example is traced on its own (it must end as its ``expect_error`` says, or without
an error), and every ``Evidence`` in any file is traced and held to its expectation. Identical
runs are traced once. The trace engine is a separate process per run, so two run at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from lessons.errors import LessonError
from lessons.evidence import TraceLike, compare_speed, evaluate, example_expectation
from lessons.loader import CONTENT_ROOT, Catalog, load_catalog
from lessons.models import Evidence, Expectation, Lesson
from lessons.walk import lesson_parts, walk

WORKERS = 2


@dataclass(frozen=True, slots=True)
class Run:
    """One traced call; equal runs are traced once."""

    file: Path
    call: str
    watch: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Baseline:
    """The run that a check's run must beat, and by how much."""

    run: Run
    factor: float


@dataclass(frozen=True, slots=True)
class Check:
    label: str  # e.g. "async-http-client-calls/deep.yaml: steps.4.evidence"
    run: Run
    expect: Expectation
    baseline: Baseline | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    check: Check
    failures: tuple[str, ...]
    wall_ms: float | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


Runner = Callable[[Run], TraceLike]


def plan(lesson: Lesson, folder: Path) -> list[Check]:
    """Every check of one lesson: its runnable examples, then its evidence in file order."""
    examples = lesson.meta.examples
    checks = [
        Check(
            f"{lesson.slug}/lesson.yaml: examples.{name}",
            Run(folder / example.file, example.call, example.watch),
            example_expectation(example),
        )
        for name, example in examples.items()
        if example.runnable
    ]
    for file, part in lesson_parts(lesson):
        for node in walk(part):
            evidence = node.value
            if not isinstance(evidence, Evidence):
                continue
            example = examples[evidence.example]
            baseline = None
            if evidence.faster_than is not None:
                other = examples[evidence.faster_than.example]
                baseline = Baseline(
                    Run(folder / other.file, evidence.faster_than.call or other.call, other.watch),
                    evidence.faster_than.factor,
                )
            checks.append(
                Check(
                    f"{lesson.slug}/{file}: {node.key}",
                    Run(folder / example.file, evidence.call or example.call, example.watch),
                    evidence.expect,
                    baseline,
                )
            )
    return checks


def run_checks(
    checks: Iterable[Check], runner: Runner, *, workers: int = WORKERS
) -> Iterator[Outcome]:
    """Trace each distinct run, ``workers`` at a time; yield outcomes in ``checks`` order."""
    checks = list(checks)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: dict[Run, Future[TraceLike]] = {}
        for check in checks:
            runs = [check.run] if check.baseline is None else [check.run, check.baseline.run]
            for run in runs:
                if run not in futures:
                    futures[run] = pool.submit(runner, run)
        for check in checks:
            yield _outcome(check, futures)


def _outcome(check: Check, futures: dict[Run, Future[TraceLike]]) -> Outcome:
    try:
        trace = futures[check.run].result()
        baseline = None if check.baseline is None else futures[check.baseline.run].result()
    except Exception as exc:  # the engine refused the run: that is this check's failure
        return Outcome(check, (f"the trace engine could not run it: {type(exc).__name__}: {exc}",))
    failures = evaluate(check.expect, trace)
    if check.baseline is not None and baseline is not None:
        failures += compare_speed(trace, baseline, check.baseline.factor)
    return Outcome(check, tuple(failures), trace.wall_ms)


def engine_runner() -> Runner:
    """A runner backed by ``visualizer.run_trace``; ``ImportError`` when the engine is missing.

    Imported at call time so that validating lessons never needs the engine.
    """
    from visualizer import TraceRequest, run_trace

    def run(run: Run) -> TraceLike:
        return run_trace(TraceRequest(file=run.file, call=run.call, watch=run.watch))

    return run


def main(
    *,
    root: Path = CONTENT_ROOT,
    runner: Runner | None = None,
    console: Console | None = None,
) -> int:
    """Validate, run and report; the exit code is 0 only when everything passed."""
    out = console or Console(highlight=False, soft_wrap=True)
    try:
        catalog = load_catalog(root)
    except LessonError as exc:
        out.print("[red]✗[/] lessons are invalid:")
        for line in str(exc).splitlines():
            out.print(f"    {escape(line)}")
        return 1
    checks = [check for lesson in catalog.lessons for check in plan(lesson, root / lesson.slug)]
    _report_valid(out, catalog, len(checks))
    if runner is None:
        try:
            runner = engine_runner()
        except ImportError as exc:
            out.print(f"[red]✗[/] cannot run examples: the trace engine is unavailable ({exc})")
            return 1
    failed = 0
    for outcome in run_checks(checks, runner):
        failed += not outcome.passed
        _report(out, outcome)
    passed = len(checks) - failed
    colour = "red" if failed else "green"
    out.print(f"[{colour}]{passed} passed, {failed} failed[/] ({len(catalog.lessons)} lessons)")
    return 1 if failed else 0


def _report_valid(out: Console, catalog: Catalog, checks: int) -> None:
    for lesson in catalog.lessons:
        out.print(f"[green]✓[/] {lesson.slug}: valid ({len(lesson.meta.examples)} examples)")
    out.print(f"running {checks} checks…")


def _report(out: Console, outcome: Outcome) -> None:
    mark = "[green]✓[/]" if outcome.passed else "[red]✗[/]"
    took = f" [dim]({outcome.wall_ms:.0f} ms)[/]" if outcome.wall_ms is not None else ""
    out.print(f"{mark} {escape(outcome.check.label)}{took}")
    for failure in outcome.failures:
        out.print(f"    {escape(failure)}")
