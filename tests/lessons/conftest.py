from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from lesson_helpers import FIXTURES, TINY, exercises, planned_claims, written_lesson

from lessons import CONTENT_ROOT, LessonError, load_lesson
from lessons.attempt import requests_for
from lessons.check import Check, plan, pool_tracers, reads_clock, timed_runs, trace_ahead
from lessons.exercise_checks import WallTime
from lessons.mutations import MutationError, apply, load_mutations
from visualizer import TraceRequest


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    """A content root holding a fresh copy of the tiny lesson."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / TINY, root / TINY)
    return root


@pytest.fixture
def tiny(content_root: Path) -> Path:
    """The copied tiny lesson folder, free to break."""
    return content_root / TINY


@pytest.fixture(scope="session")
def trace_cache(request: pytest.FixtureRequest) -> Path:
    """Where real runs' traces are kept across tests and sessions (keyed by source, call and
    engine: see ``lessons.check.cached_runner``), in pytest's own cache folder."""
    return request.config.cache.mkdir("lesson-traces")


@pytest.fixture(scope="session")
def course_traces(request: pytest.FixtureRequest, trace_cache: Path) -> Path:
    """``trace_cache``, holding every run that this session's tests of written lessons read.

    On first use, every distinct run of the lessons those tests name (each claim's run, baseline
    and counter-examples, each exercise's runs on every known file, each mutation's changed
    runs) is traced once, up front, into the cache, ``lessons.check.WORKERS`` at a time, forked
    at the idle CPU policy; the runs a loaded machine could change (a ``faster_than``
    comparison's, a clock-reading file's, an exercise's wall-time check's) go beside them on a
    lane of their own, one per core (``lessons.check.pool_tracers``, ``trace_ahead``). The tests
    then read the cache: without this fixture they would trace the same runs, one test file's
    worth at a time."""
    slugs = lessons_read_by(request.session.items)
    with ExitStack() as stack:
        requests: list[TraceRequest] = []
        timed: set[TraceRequest] = set()
        for slug in slugs:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            for found, is_timed in lesson_requests(slug, scratch):
                requests.append(found)
                if is_timed:
                    timed.add(found)
        if requests:
            tracers = stack.enter_context(pool_tracers())
            trace_ahead(
                requests, tracers.crowd, trace_cache, timed=timed, timed_trace=tracers.timed
            )
    return trace_cache


def lessons_read_by(items: list[pytest.Item]) -> list[str]:
    """The written lessons that the items using ``course_traces`` test: named in the item's
    id (its parameters), or by its module's ``SLUG``."""
    slugs = sorted(p.name for p in CONTENT_ROOT.iterdir() if (p / "lesson.yaml").is_file())
    found: set[str] = set()
    for item in items:
        if "course_traces" not in getattr(item, "fixturenames", ()):
            continue
        found.update(slug for slug in slugs if slug in item.nodeid)
        module_slug = getattr(getattr(item, "module", None), "SLUG", None)
        if module_slug in slugs:
            found.add(module_slug)
    return [slug for slug in slugs if slug in found]


def lesson_requests(slug: str, scratch: Path) -> Iterator[tuple[TraceRequest, bool]]:
    """Every run one written lesson's tests read, and whether its wall time is compared."""
    checks = [check for check in planned_claims(slug) if isinstance(check, Check)]
    timed_claims = timed_runs(checks)
    for check in checks:
        for run in check.runs:
            yield run.request(), run in timed_claims
    try:
        lesson = written_lesson(slug)
    except LessonError:
        return  # test_examples_run reports it
    for checked in exercises(lesson).values():
        timed = {
            check.run
            for check in checked.checks
            if isinstance(check, WallTime) and check.measure == "wall"
        }
        solution = getattr(checked, "solution", lesson.project.solution)
        names = {solution, *checked.alternatives, *(wrong.example for wrong in checked.wrong)}
        for name in sorted(names):
            file = CONTENT_ROOT / slug / lesson.meta.examples[name].file
            clocked = reads_clock(file)
            for run_id, found in requests_for(checked, file, origin="lesson").items():
                yield found, clocked or run_id in timed
    yield from mutation_requests(CONTENT_ROOT / slug, scratch)


def mutation_requests(folder: Path, scratch: Path) -> Iterator[tuple[TraceRequest, bool]]:
    """The runs of each mutated copy of the lesson (written under ``scratch``): the cache is
    keyed by the file's bytes, so test_mutations' own copies read them."""
    try:
        mutations = load_mutations(folder).mutations
    except LessonError:
        return  # test_mutations reports it
    for number, mutation in enumerate(mutations):
        copy = scratch / str(number) / folder.name
        shutil.copytree(folder, copy)
        try:
            apply(mutation, copy)
            lesson = load_lesson(copy)
        except (MutationError, LessonError):
            continue
        checks = plan(lesson, copy)
        timed = timed_runs(checks)
        for check in checks:
            for run in check.runs:
                yield run.request(), run in timed
