"""Every runnable example and every piece of evidence of every lesson, run for real.

A claim passes only when its run holds, its words say what the run measured, AND every
counter-example kept beside it fails the same check on the fact it names, so each test here
also proves that its check can fail. All checks are planned at once: each distinct run is
traced once and shared by every claim that reads it, ``WORKERS`` at a time, and kept in the
shared trace cache (keyed by source, call and engine), so an unchanged lesson costs no tracing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from lessons import CONTENT_ROOT, LessonError, load_lesson
from lessons.check import (
    WORKERS,
    Check,
    ClaimOutcome,
    cached_runner,
    engine_runner,
    plan,
    run_checks,
)


def _folders() -> list[Path]:
    return sorted(path for path in CONTENT_ROOT.iterdir() if (path / "lesson.yaml").is_file())


def _checks() -> list[object]:
    found: list[object] = []
    for folder in _folders():
        try:
            lesson = load_lesson(folder)
        except LessonError as exc:
            found.append(pytest.param(exc, id=f"{folder.name}-is-invalid"))
            continue
        found += [pytest.param(check, id=check.label) for check in plan(lesson, folder)]
    return found


CHECKS = _checks()


@cache
def _outcomes(cache_folder: Path) -> dict[str, ClaimOutcome]:
    """Every check's outcome, all runs traced together (once each) on the first call."""
    runner = cached_runner(engine_runner(), cache_folder)
    checks = [p.values[0] for p in CHECKS if isinstance(p.values[0], Check)]  # type: ignore[attr-defined]
    return {o.check.label: o for o in run_checks(checks, runner, workers=WORKERS)}


@pytest.mark.slow
@pytest.mark.parametrize("item", CHECKS)
def test_claim_holds_in_a_real_run(item: Check | LessonError, course_traces: Path) -> None:
    if isinstance(item, LessonError):
        pytest.fail(str(item))
    outcome = _outcomes(course_traces)[item.label]

    defects = [
        f"{counter.counter.run.name} ({counter.counter.changes}): {counter.report}"
        for counter in outcome.counters
        if not counter.rejected
    ]
    assert outcome.passed, "\n".join([*outcome.failures, *defects])
    assert all(counter.report for counter in outcome.counters)  # says why each was rejected
