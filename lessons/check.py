"""``loopscope lessons check``: validate every lesson, then prove its claims by running them.

Every runnable example is traced on its own (it must end as its ``expect_error`` says, or without
an error), and every ``Evidence`` in any file is traced and held to its expectation. Each claim's
counter-examples are traced too and must FAIL the same expectation, on a check it names: a
counter-example that passes (or crashes, or is stopped) shows that the check cannot fail, and
fails the claim. The report names, per claim, the run that supports it and each counter-example
it rejects. Each claim is also bound to its words (``lessons.claims``): the answer or verdict
its run decides, the measured facts its text quotes, the exception names it uses.

Identical runs (file, call, watches) are traced once and shared by every claim that reads them,
``workers`` at a time. Each run is a process of its own: a fork of one warm interpreter in one
shared sandbox (``visualizer.pool.forks``; lesson examples only, learner code always gets a
sandbox of its own), so a run costs its tracing, not an interpreter's start. A run mostly waits
(on the demo upstream's delays, on timeouts), so more run at once than there are cores
(``WORKERS``), at the idle CPU policy. The runs a loaded machine could change (``timed_runs``:
those a ``faster_than`` compares, and those of a file that reads a clock) go to a second lane
beside them, at most ``TIMED_WORKERS`` at once at the ordinary policy: the crowd yields every
CPU to them, so its load never decides them. (Without such a lane, as with a test's runner,
they are traced last, once every other run is done.) With a cache
folder, a run's trace is kept under a hash of the file's bytes, the call, the watches, the limits,
the origin and the engine's own source, so an unchanged run is never traced twice and an engine
change traces everything again. ``trace_ahead`` traces a whole set of runs that way, up front,
for readers that come later (the test suite's lesson tests).
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import threading
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from rich.console import Console
from rich.markup import escape

from lessons.claims import Claim, claim_of, measured_problems, static_problems
from lessons.errors import LessonError
from lessons.evidence_judge import (
    Failure,
    TraceLike,
    compare_speed,
    example_expectation,
    failures,
    rejection,
)
from lessons.facts import measured, prefixed
from lessons.loader import CONTENT_ROOT, Catalog, load_catalog
from lessons.models import Counter, Evidence, Example, Expectation, Lesson
from lessons.statements import Unbacked, unbacked
from lessons.walk import lesson_parts, walk

if TYPE_CHECKING:
    from visualizer import Trace, TraceRequest

CORES = os.cpu_count() or 2
# Runs traced at once. A lesson run spends most of its wall time asleep (the demo upstream's
# delayed endpoints, timeouts, gathers of slow calls); its CPU is mostly the tracing (a fork
# costs a few milliseconds). bench/lessons_check.py measures what each crowd size buys; past
# three per core the gain is small.
WORKERS = max(2, min(3 * CORES, 16))
# Runs whose wall time a claim compares: no more of them at once than there are cores.
TIMED_WORKERS = max(1, min(CORES, 16))


@dataclass(frozen=True, slots=True)
class Run:
    """One traced call; equal runs are traced once."""

    file: Path
    call: str
    watch: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """``step5_gather.py: one_by_one()``, for the report."""
        return f"{self.file.name}: {self.call}"

    def request(self) -> TraceRequest:
        """The engine's request for this run (default limits, lesson origin): what every
        runner sends, so what a kept trace is found by."""
        from visualizer import TraceRequest

        return TraceRequest(file=self.file, call=self.call, watch=self.watch)


@dataclass(frozen=True, slots=True)
class CounterRun:
    """A counter-example's run, and what it changes."""

    run: Run
    changes: str
    rejects_on: tuple[str, ...] = ()


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
    counters: tuple[CounterRun, ...] = ()
    claim: Claim | None = field(default=None, compare=False)
    static: tuple[str, ...] = ()  # what is wrong before anything runs

    @property
    def runs(self) -> tuple[Run, ...]:
        """Every run this check needs traced."""
        baseline = () if self.baseline is None else (self.baseline.run,)
        return (self.run, *baseline, *(counter.run for counter in self.counters))


@dataclass(frozen=True, slots=True)
class CounterOutcome:
    """Whether a counter-example was rejected; ``report`` says why, or why it proves nothing."""

    counter: CounterRun
    rejected: bool
    report: str
    wall_ms: float | None = None


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    check: Check
    failures: tuple[str, ...]
    wall_ms: float | None = None
    counters: tuple[CounterOutcome, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures and all(counter.rejected for counter in self.counters)


Runner = Callable[[Run], TraceLike]
_Item = TypeVar("_Item", bound=Hashable)
_Result = TypeVar("_Result")


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
            claim = claim_of(node.owner, evidence)
            checks.append(
                Check(
                    f"{lesson.slug}/{file}: {node.key}",
                    Run(folder / example.file, evidence.call or example.call, example.watch),
                    evidence.expect,
                    baseline,
                    tuple(
                        CounterRun(
                            counter_run(counter, examples, folder),
                            counter.changes,
                            counter.rejects_on,
                        )
                        for counter in evidence.counter
                    ),
                    claim,
                    tuple(static_problems(claim, evidence.counter)),
                )
            )
    return checks


def counter_run(counter: Counter, examples: dict[str, Example], folder: Path) -> Run:
    """The run of a counter-example: a registered example, or a file with its own call."""
    if counter.example is not None:
        example = examples[counter.example]
        return Run(folder / example.file, counter.call or example.call, example.watch)
    assert counter.file is not None  # the model requires a file and a call
    assert counter.call is not None
    return Run(folder / counter.file, counter.call)


# A clock read in the example's own code: what it returns may then depend on how fast the
# machine ran it (a queue's slowest answer against a pool timeout, a measured curve).
_CLOCK = re.compile(
    r"\b(?:perf_counter|monotonic|time\.time|loop\.time|get_running_loop\(\)\.time)\b"
)


def reads_clock(file: Path) -> bool:
    """Whether the file's code reads a clock (an unreadable file does not)."""
    try:
        return _CLOCK.search(file.read_text(encoding="utf-8", errors="replace")) is not None
    except OSError:
        return False


def timed_runs(checks: Iterable[Check]) -> set[Run]:
    """The runs whose outcome a loaded machine could change: a ``faster_than`` check's run,
    its baseline and its counter-examples (rejected, or not, on ``faster_than``), and every run
    of a file that reads a clock (``reads_clock``)."""
    checks = list(checks)
    compared = {run for check in checks if check.baseline is not None for run in check.runs}
    runs = {run for check in checks for run in check.runs}
    clocks = {file: reads_clock(file) for file in {run.file for run in runs}}  # each file once
    return compared | {run for run in runs if clocks[run.file]}


def run_checks(
    checks: Iterable[Check],
    runner: Runner,
    *,
    workers: int = WORKERS,
    timed_workers: int = TIMED_WORKERS,
    timed_runner: Runner | None = None,
) -> Iterator[ClaimOutcome]:
    """Trace each distinct run, ``workers`` at a time, then the timed runs (``timed_runs``)
    ``timed_workers`` at a time (or at once, on ``timed_runner``: see ``phased``); yield
    outcomes in ``checks`` order."""
    checks = list(checks)
    runs = (run for check in checks for run in check.runs)
    timed = timed_runs(checks)
    with phased(runner, runs, timed, workers, timed_workers, timed_work=timed_runner) as futures:
        for check in checks:
            yield _outcome(check, futures)


@contextmanager
def phased(
    work: Callable[[_Item], _Result],
    items: Iterable[_Item],
    timed: Collection[_Item],
    workers: int,
    timed_workers: int,
    *,
    timed_work: Callable[[_Item], _Result] | None = None,
) -> Iterator[dict[_Item, Future[_Result]]]:
    """``work`` on each distinct item, in threads: the untimed items ``workers`` at a time, in
    order, then the ``timed`` ones ``timed_workers`` at a time, each started only once every
    untimed item is done. With ``timed_work`` (to which ``work`` yields the CPU: see
    ``Tracers``), the timed ones go to it from the start instead, beside the rest. Yields each
    item's future at once; waits for all of them on exit."""
    with (
        ThreadPoolExecutor(max_workers=max(workers, 1)) as pool,
        ThreadPoolExecutor(max_workers=max(timed_workers, 1)) as quiet,
    ):
        distinct = list(dict.fromkeys(items))
        futures = {item: pool.submit(work, item) for item in distinct if item not in timed}
        rest = list(futures.values())

        def after_the_rest(item: _Item) -> _Result:
            wait(rest)
            return work(item)

        for item in distinct:
            if item in timed:
                futures[item] = quiet.submit(timed_work or after_the_rest, item)
        yield futures


def _outcome(check: Check, futures: dict[Run, Future[TraceLike]]) -> ClaimOutcome:
    try:
        trace = futures[check.run].result()
        baseline = None if check.baseline is None else futures[check.baseline.run].result()
    except Exception as exc:  # the engine refused the run: that is this check's failure
        return ClaimOutcome(
            check, (f"the trace engine could not run it: {type(exc).__name__}: {exc}",)
        )
    found = [failure.message for failure in _failures(check, check.run, trace, baseline)]
    counters = tuple(
        _counter_outcome(check, counter, futures, baseline) for counter in check.counters
    )
    found += check.static
    if check.claim is not None:
        seen = _raised(trace)
        for counter in check.counters:
            with suppress(Exception):  # an engine failure is the counter's own outcome
                seen |= _raised(futures[counter.run].result())
        facts = measured(trace)
        if baseline is not None:
            facts |= prefixed("baseline_", measured(baseline))
        if check.counters:
            with suppress(Exception):
                facts |= prefixed("counter_", measured(futures[check.counters[0].run].result()))
        found += measured_problems(check.claim, facts, seen)
    return ClaimOutcome(check, tuple(found), trace.wall_ms, counters)


def _raised(trace: TraceLike) -> set[str]:
    """The exception types a run raised or caught."""
    seen = {trace.error.type} if trace.error is not None else set()
    seen |= {count.type for count in getattr(trace, "exceptions", ())}
    return seen


def _failures(
    check: Check, run: Run, trace: TraceLike, baseline: TraceLike | None
) -> list[Failure]:
    found = failures(check.expect, trace, source=_source(run))
    if check.baseline is not None and baseline is not None:
        found += [
            Failure("faster_than", message)
            for message in compare_speed(trace, baseline, check.baseline.factor)
        ]
    return found


def _counter_outcome(
    check: Check,
    counter: CounterRun,
    futures: dict[Run, Future[TraceLike]],
    baseline: TraceLike | None,
) -> CounterOutcome:
    try:
        trace = futures[counter.run].result()
    except Exception as exc:
        reason = f"the trace engine could not run it: {type(exc).__name__}: {exc}"
        return CounterOutcome(counter, False, f"the counter-example proves nothing: {reason}")
    found = _failures(check, counter.run, trace, baseline)
    rejected, report = rejection(found, check.expect, counter.rejects_on)
    return CounterOutcome(counter, rejected, report, trace.wall_ms)


def _source(run: Run) -> str:
    try:
        return run.file.read_text(encoding="utf-8")
    except OSError:
        return ""


def engine_runner() -> Runner:
    """A runner backed by ``visualizer.run_trace``; ``ImportError`` when the engine is missing.

    Imported at call time so that validating lessons never needs the engine.
    """
    from visualizer import run_trace

    def run(run: Run) -> TraceLike:
        return run_trace(run.request())

    return run


class Tracers(NamedTuple):
    """Two ways to trace, callable from many threads at once: ``crowd`` for the runs nobody
    times (many at once, at the idle CPU policy), ``timed`` for those whose wall time a check
    compares (few at once, at the ordinary policy, so the crowd yields every CPU to them)."""

    crowd: Callable[[TraceRequest], Trace]
    timed: Callable[[TraceRequest], Trace]


@contextmanager
def pool_tracers(
    workers: int = WORKERS, timed_workers: int = TIMED_WORKERS, *, forked: bool = True
) -> Iterator[Tracers]:
    """``Tracers`` backed by two forked ``visualizer.TraceEngine``s (lesson examples only: see
    ``visualizer.pool.forks``), ``workers`` and ``timed_workers`` warm workers, on one event
    loop thread of their own: while one run is traced the next worker is already forked.
    ``forked=False`` (a benchmark's baseline): started workers, each a sandbox of its own, and
    no idle policy, so the timed runs must wait for the crowd. ``ImportError`` when the engine
    is missing."""
    import asyncio
    import threading

    from visualizer import TraceEngine

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="lessons-check-engine", daemon=True)
    thread.start()
    crowd = TraceEngine(
        workers=workers, warm=workers + 1, queue_size=1 << 16, forked=forked, idle=forked
    )
    timed = TraceEngine(
        workers=timed_workers, warm=timed_workers + 1, queue_size=1 << 16, forked=forked
    )
    engines = [crowd, timed]

    def traced_by(engine: TraceEngine) -> Callable[[TraceRequest], Trace]:
        def trace(request: TraceRequest) -> Trace:
            return asyncio.run_coroutine_threadsafe(engine.trace(request), loop).result()

        return trace

    try:
        for engine in engines:
            asyncio.run_coroutine_threadsafe(engine.__aenter__(), loop).result()
        yield Tracers(traced_by(crowd), traced_by(timed))
    finally:
        for engine in engines:
            asyncio.run_coroutine_threadsafe(engine.aclose(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


@contextmanager
def pool_runners(
    workers: int = WORKERS, timed_workers: int = TIMED_WORKERS, *, forked: bool = True
) -> Iterator[tuple[Runner, Runner]]:
    """``Runner``s over ``pool_tracers``: the crowd's, then the timed runs'. ``ImportError``
    when the engine is missing."""

    def runner(trace: Callable[[TraceRequest], Trace]) -> Runner:
        return lambda run: trace(run.request())

    with pool_tracers(workers, timed_workers, forked=forked) as tracers:
        yield runner(tracers.crowd), runner(tracers.timed)


DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / (
    "loopscope/lessons-check"
)


ENGINE_PACKAGES = ("httpx", "httpcore", "anyio", "fastapi", "starlette", "uvicorn", "h11")


@cache
def engine_version() -> str:
    """A hash of the trace engine's own source and contract, Python's version and the versions
    of the libraries the examples run on: a kept trace is only reused by the engine (and the
    httpx) that made it."""
    import visualizer
    from visualizer.contract.wire import SCHEMA

    digest = hashlib.sha256(SCHEMA.encode())
    digest.update(sys.version.encode())
    for package in ENGINE_PACKAGES:  # what the examples run on: an upgrade traces again
        try:
            digest.update(f"{package}=={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}: absent".encode())
    root = Path(visualizer.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def run_key(run: Run, engine: str) -> str:
    """The cache key of one run: the file's bytes, the call, the watches, the engine."""
    digest = hashlib.sha256(engine.encode())
    for part in (run.file.read_bytes(), run.call.encode(), "\0".join(run.watch).encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def kept_path(request: TraceRequest, folder: Path, engine: str) -> Path:
    """Where ``request``'s trace is kept: ``run_key`` with its limits and origin too, so a
    claim's run and an exercise's run of the same file and call share a trace only when they
    are the same request. ``OSError`` when the file cannot be read."""
    extra = f"{request.limits!r}\0{request.origin}"
    key = run_key(Run(request.file, request.call, request.watch), engine + extra)
    return folder / key[:2] / f"{key}.json"


@lru_cache(maxsize=4096)
def _kept_trace(path: Path) -> TraceLike:
    """A kept trace, decoded once per process (its file name is its content's key)."""
    from visualizer import Trace

    return Trace.from_json(path.read_bytes())


def _keep(path: Path, trace: Trace) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    partial.write_bytes(trace.json_bytes())
    partial.replace(path)  # atomic: a concurrent reader sees all or nothing


# Requests the engine refused in this process, by kept path: a reader after ``trace_ahead``
# gets the same error at once instead of tracing the run again. Never kept on disk.
_refused: dict[Path, Exception] = {}


def cached_trace(
    trace: Callable[[TraceRequest], Trace], folder: Path, engine: str | None = None
) -> Callable[[TraceRequest], Trace]:
    """``trace``, remembering each request's trace JSON under ``folder`` (``kept_path``): what
    the checks' runs and the checked exercises' runs go through. A request whose file cannot be
    read goes to ``trace`` uncached (it reports the problem)."""
    from visualizer import Trace

    version = engine if engine is not None else engine_version()

    def run(request: TraceRequest) -> Trace:
        try:
            path = kept_path(request, folder, version)
        except OSError:
            return trace(request)
        try:
            kept = _kept_trace(path)
            assert isinstance(kept, Trace)
            return kept
        except (OSError, ValueError):
            pass
        if path in _refused:
            raise _refused[path]
        try:
            found = trace(request)
        except Exception as exc:
            _refused[path] = exc
            raise
        _keep(path, found)
        return found

    return run


def cached_runner(runner: Runner, folder: Path, engine: str | None = None) -> Runner:
    """``runner``, remembering each run's trace like ``cached_trace`` (as the request with
    default limits and origin that the engine runners send). A runner that returns something
    else than a ``Trace`` (a test's fake) is not remembered."""
    from visualizer import Trace

    version = engine if engine is not None else engine_version()

    def run(run: Run) -> TraceLike:
        request = run.request()
        try:
            path = kept_path(request, folder, version)
        except OSError:
            return runner(run)
        try:
            return _kept_trace(path)
        except (OSError, ValueError):
            pass
        if path in _refused:
            raise _refused[path]
        trace = runner(run)
        if isinstance(trace, Trace):
            _keep(path, trace)
        return trace

    return run


def trace_ahead(
    requests: Iterable[TraceRequest],
    trace: Callable[[TraceRequest], Trace],
    folder: Path,
    *,
    timed: Collection[TraceRequest] = (),
    timed_trace: Callable[[TraceRequest], Trace] | None = None,
    workers: int = WORKERS,
    timed_workers: int = TIMED_WORKERS,
    engine: str | None = None,
) -> int:
    """Trace into ``folder`` every distinct request not kept there yet, as ``run_checks``
    does: ``workers`` at a time, then the ``timed`` ones (whose wall time a claim or an
    exercise compares) ``timed_workers`` at a time once the rest are done (or at once, on
    ``timed_trace``: see ``phased``). Returns how many it traced. A refused request is
    remembered in this process, for its reader to report."""
    version = engine if engine is not None else engine_version()
    kept = cached_trace(trace, folder, version)
    kept_timed = None if timed_trace is None else cached_trace(timed_trace, folder, version)
    timed = set(timed)
    todo: dict[Path, TraceRequest] = {}  # one request per kept trace: copies share it
    quiet: set[TraceRequest] = set()
    for request in requests:
        try:
            path = kept_path(request, folder, version)
        except OSError:
            continue  # its reader reports the unreadable file
        if path.is_file():
            continue
        first = todo.setdefault(path, request)
        if request in timed:
            quiet.add(first)
    with phased(
        kept, todo.values(), quiet, workers, timed_workers, timed_work=kept_timed
    ) as futures:
        wait(futures.values())
    return len(todo)


def main(
    *,
    root: Path = CONTENT_ROOT,
    runner: Runner | None = None,
    console: Console | None = None,
    cache: Path | None = DEFAULT_CACHE,
    workers: int = WORKERS,
    only: tuple[str, ...] | None = None,
) -> int:
    """Validate, run and report (only the lessons in ``only``, when given: every lesson is
    validated still); the exit code is 0 only when everything passed."""
    out = console or Console(highlight=False, soft_wrap=True)
    try:
        catalog = load_catalog(root)
    except LessonError as exc:
        out.print("[red]✗[/] lessons are invalid:")
        for line in str(exc).splitlines():
            out.print(f"    {escape(line)}")
        return 1
    chosen = [lesson for lesson in catalog.lessons if only is None or lesson.slug in only]
    unknown = sorted(set(only or ()) - {lesson.slug for lesson in catalog.lessons})
    if unknown:
        out.print(f"[red]✗[/] no such lesson: {escape(', '.join(unknown))}")
        return 1
    checks = [check for lesson in chosen for check in plan(lesson, root / lesson.slug)]
    _report_valid(out, catalog, len(checks))
    words = _report_words(out, catalog, {lesson.slug for lesson in chosen})
    with ExitStack() as stack:
        timed_runner: Runner | None = None
        if runner is None:
            try:
                runner, timed_runner = stack.enter_context(pool_runners(workers))
            except ImportError as exc:
                out.print(f"[red]✗[/] cannot run examples: the trace engine is unavailable ({exc})")
                return 1
            if cache is not None:
                runner = cached_runner(runner, cache)
                timed_runner = cached_runner(timed_runner, cache)
        failed = 0
        for outcome in run_checks(checks, runner, workers=workers, timed_runner=timed_runner):
            failed += not outcome.passed
            _report(out, outcome)
    passed = len(checks) - failed
    failed += words
    colour = "red" if failed else "green"
    out.print(f"[{colour}]{passed} passed, {failed} failed[/] ({len(chosen)} lessons)")
    return 1 if failed else 0


def _report_valid(out: Console, catalog: Catalog, checks: int) -> None:
    for lesson in catalog.lessons:
        out.print(f"[green]✓[/] {lesson.slug}: valid ({len(lesson.meta.examples)} examples)")
    out.print(f"running {checks} checks…")


def _report_words(out: Console, catalog: Catalog, chosen: set[str]) -> int:
    """Every statement of a checkable fact in free prose that no run backs, in the ``chosen``
    lessons, in course order (``lessons.statements``); returns how many there are."""
    order = [entry.slug for entry in catalog.course.entries] if catalog.course else []
    lessons = sorted(
        (lesson for lesson in catalog.lessons if lesson.slug in chosen),
        key=lambda lesson: order.index(lesson.slug) if lesson.slug in order else len(order),
    )
    found: list[tuple[str, Unbacked]] = [
        (lesson.slug, statement) for lesson in lessons for statement in unbacked(lesson)
    ]
    for slug, statement in found:
        out.print(f"[red]✗[/] {escape(slug)}/{escape(statement.label)}")
        out.print(f"    {escape(statement.message)}")
    if not found:
        out.print("[green]✓[/] every fact stated in free prose is backed by a run or is an input")
    return len(found)


def _report(out: Console, outcome: ClaimOutcome) -> None:
    mark = "[green]✓[/]" if outcome.passed else "[red]✗[/]"
    took = _took(outcome.wall_ms)
    check = outcome.check
    if not check.counters:  # an example run on its own
        out.print(f"{mark} {escape(check.label)}{took}")
        for failure in outcome.failures:
            out.print(f"    {escape(failure)}")
        return
    out.print(f"{mark} {escape(check.label)}")
    held = "[green]holds[/]" if not outcome.failures else "[red]does not hold[/]"
    out.print(f"    backed by {escape(check.run.name)}{took}: {held}")
    for failure in outcome.failures:
        out.print(f"      {escape(failure)}")
    for counter in outcome.counters:
        run = f"{escape(counter.counter.run.name)} ({escape(counter.counter.changes)})"
        if counter.rejected:
            out.print(f"    rejects {run}{_took(counter.wall_ms)}: {escape(counter.report)}")
        else:
            out.print(f"    [red]does not reject[/] {run}{_took(counter.wall_ms)}: "
                      f"{escape(counter.report)}")  # fmt: skip


def _took(wall_ms: float | None) -> str:
    return f" [dim]({wall_ms:.0f} ms)[/]" if wall_ms is not None else ""
