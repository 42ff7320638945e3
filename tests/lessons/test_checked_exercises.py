"""Every challenge and project milestone, judged on real runs of its known files.

The reference solution and every alternative pass every check; every known-wrong variant (the
starter among them) fails at least the checks it is listed with; and every check is failed by
at least one wrong variant, or it is a defect that proves nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

from lessons import load_catalog
from lessons.attempt import attempt, coverage_defects
from lessons.check import cached_trace
from lessons.exercise_checks import Checked
from lessons.judge import Verdict
from lessons.loader import CONTENT_ROOT
from lessons.models import Lesson
from visualizer import Trace, TraceRequest, run_trace

SLUG = "async-http-client-calls"


@cache
def _lesson() -> Lesson:
    found = load_catalog().get(SLUG)
    assert found is not None
    return found


def _exercises() -> dict[str, Checked]:
    lesson = _lesson()
    found: dict[str, Checked] = {c.id: c for c in lesson.challenge.challenges}
    found.update({f"project/{step.id}": step for step in lesson.project.steps})
    return found


def _correct(exercise: str) -> tuple[str, ...]:
    checked = _exercises()[exercise]
    lesson = _lesson()
    solution = getattr(checked, "solution", lesson.project.solution)
    return (solution, *checked.alternatives)


def _judge(pair: tuple[str, str], trace: Callable[[TraceRequest], Trace]) -> Verdict:
    exercise, example = pair
    file = CONTENT_ROOT / SLUG / _lesson().meta.examples[example].file
    verdict, _ = attempt(_exercises()[exercise], Path(file), trace, origin="lesson")
    return verdict


@cache
def _verdicts(kept: Path) -> dict[tuple[str, str], Verdict]:
    """Every known file judged once; the runs mostly wait on the upstream, so several at once.
    Traces are kept in the shared trace cache, so an unchanged file is not traced again."""
    pairs = sorted({(e, name) for e, name in CORRECT} | {(e, name) for e, name, _ in WRONG})
    trace = cached_trace(run_trace, kept)
    with ThreadPoolExecutor(max_workers=6) as pool:
        return dict(zip(pairs, pool.map(lambda pair: _judge(pair, trace), pairs), strict=True))


@pytest.fixture
def verdict_of(course_traces: Path) -> Callable[[str, str], Verdict]:
    return lambda exercise, example: _verdicts(course_traces)[(exercise, example)]


def _report(verdict: Verdict) -> str:
    return "\n".join(
        f"{c.id}: {'pass' if c.passed else 'FAIL'}: {c.detail}" for c in verdict.checks
    )


CORRECT = [(e, name) for e in _exercises() for name in _correct(e)]
WRONG = [(e, w.example, w.fails) for e, c in _exercises().items() for w in c.wrong]


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "example"), CORRECT)
def test_correct_solutions_pass_every_check(
    exercise: str, example: str, verdict_of: Callable[[str, str], Verdict]
) -> None:
    verdict = verdict_of(exercise, example)
    assert verdict.passed, _report(verdict)


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "example", "fails"), WRONG)
def test_wrong_variants_fail_their_checks(
    exercise: str, example: str, fails: tuple[str, ...], verdict_of: Callable[[str, str], Verdict]
) -> None:
    verdict = verdict_of(exercise, example)
    missed = set(fails) - set(verdict.failed())
    assert not missed, f"{example} should fail {sorted(missed)}:\n{_report(verdict)}"


@pytest.mark.slow
@pytest.mark.parametrize("exercise", list(_exercises()))
def test_every_check_rejects_a_known_wrong_variant(
    exercise: str, verdict_of: Callable[[str, str], Verdict]
) -> None:
    checked = _exercises()[exercise]
    verdicts = {w.example: verdict_of(exercise, w.example) for w in checked.wrong}
    assert coverage_defects(checked, verdicts) == ()


def test_each_exercise_lists_its_starter_among_the_wrong_variants() -> None:
    lesson = _lesson()
    for challenge in lesson.challenge.challenges:
        assert challenge.starter in {w.example for w in challenge.wrong}, challenge.id
    starters = [
        s for s in lesson.project.steps if lesson.project.starter in {w.example for w in s.wrong}
    ]
    assert len(starters) == len(lesson.project.steps)
