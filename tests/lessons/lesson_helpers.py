"""Helpers for lesson tests: where the fixture lesson lives, ways to break a copy of it, and the
planning, tracing and judging of a written lesson's claims and exercises."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from lessons import CONTENT_ROOT, LessonError, load_lesson
from lessons.attempt import attempt
from lessons.check import (
    WORKERS,
    Check,
    ClaimOutcome,
    cached_runner,
    cached_trace,
    engine_runner,
    plan,
    run_checks,
)
from lessons.exercise_checks import Checked
from lessons.judge import Verdict
from lessons.models import Lesson

FIXTURES = Path(__file__).parent / "fixtures"
TINY = "tiny-lesson"


def edit_yaml(path: Path, change: Callable[[Any], object]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def load_error(folder: Path) -> str:
    """The message of the error that loading ``folder`` raises."""
    with pytest.raises(LessonError) as caught:
        load_lesson(folder)
    return str(caught.value)


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line of ``path`` containing ``text``."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


# --- a written lesson's claims and exercises, run for real through the shared trace cache -------
#
# Every lesson of the course is tested the same way (tests/lessons/test_course_bar.py): its claims
# are planned together and each distinct run is traced once, its exercise variants are judged
# once each, and the traces are kept in the shared trace cache (the ``trace_cache`` fixture), so
# an unchanged lesson costs no tracing.


@cache
def written_lesson(slug: str) -> Lesson:
    return load_lesson(CONTENT_ROOT / slug)


def planned_claims(slug: str) -> list[Check | LessonError]:
    """The lesson's checks, planned without running anything; the load error if it is invalid."""
    try:
        lesson = load_lesson(CONTENT_ROOT / slug)
    except LessonError as exc:
        return [exc]
    return list(plan(lesson, CONTENT_ROOT / slug))


@cache
def claim_outcomes(slug: str, kept: Path) -> dict[str, ClaimOutcome]:
    """Every check's outcome, each distinct run traced once (or read from the cache in ``kept``)."""
    runner = cached_runner(engine_runner(), kept)
    checks = [c for c in planned_claims(slug) if isinstance(c, Check)]
    return {o.check.label: o for o in run_checks(checks, runner, workers=WORKERS)}


def claim_defects(outcome: ClaimOutcome) -> list[str]:
    """Why a claim does not hold: its run's failures and every counter-example not rejected."""
    return [
        *outcome.failures,
        *(
            f"{counter.counter.run.name} ({counter.counter.changes}): {counter.report}"
            for counter in outcome.counters
            if not counter.rejected
        ),
    ]


def exercises(lesson: Lesson) -> dict[str, Checked]:
    """The lesson's challenges by id and its project milestones as ``project/<id>``."""
    found: dict[str, Checked] = {c.id: c for c in lesson.challenge.challenges}
    found.update({f"project/{step.id}": step for step in lesson.project.steps})
    return found


def correct_examples(lesson: Lesson, exercise: str) -> tuple[str, ...]:
    """The examples that must pass every check of ``exercise``: its solution and alternatives."""
    checked = exercises(lesson)[exercise]
    solution = getattr(checked, "solution", lesson.project.solution)
    return (solution, *checked.alternatives)


def correct_variants(lesson: Lesson) -> list[tuple[str, str]]:
    return [(e, name) for e in exercises(lesson) for name in correct_examples(lesson, e)]


def wrong_variants(lesson: Lesson) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(e, w.example, w.fails) for e, c in exercises(lesson).items() for w in c.wrong]


@cache
def exercise_verdicts(slug: str, kept: Path) -> dict[tuple[str, str], Verdict]:
    """Every known file of the lesson judged once, several at once (the runs mostly wait on the
    upstream); traces are kept in the cache in ``kept``, so an unchanged file is not traced
    again."""
    from visualizer import run_trace

    lesson = written_lesson(slug)
    trace = cached_trace(run_trace, kept)

    def judge(pair: tuple[str, str]) -> Verdict:
        exercise, example = pair
        file = CONTENT_ROOT / slug / lesson.meta.examples[example].file
        verdict, _ = attempt(exercises(lesson)[exercise], file, trace, origin="lesson")
        return verdict

    pairs = sorted(
        {*correct_variants(lesson), *((e, name) for e, name, _ in wrong_variants(lesson))}
    )
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(pairs, pool.map(judge, pairs), strict=True))


def verdict_report(verdict: Verdict) -> str:
    return "\n".join(
        f"{c.id}: {'pass' if c.passed else 'FAIL'}: {c.detail}" for c in verdict.checks
    )
