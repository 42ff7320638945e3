"""Every runnable example and every piece of evidence of the real lesson, run for real.

A claim passes only when its run holds AND every counter-example kept beside it fails the same
check, so each test here also proves that its check can fail.
"""

from __future__ import annotations

import pytest

from lessons import CONTENT_ROOT, LessonError, load_lesson
from lessons.check import Check, engine_runner, plan, run_checks

SLUG = "async-http-client-calls"


def _checks() -> list[object]:
    folder = CONTENT_ROOT / SLUG
    if not folder.is_dir():
        return []
    try:
        lesson = load_lesson(folder)
    except LessonError as exc:
        return [pytest.param(exc, id="lesson-is-invalid")]
    return [pytest.param(check, id=check.label) for check in plan(lesson, folder)]


@pytest.mark.slow
@pytest.mark.parametrize("item", _checks())
def test_claim_holds_in_a_real_run(item: Check | LessonError) -> None:
    if isinstance(item, LessonError):
        pytest.fail(str(item))
    try:
        runner = engine_runner()
    except ImportError as exc:
        pytest.skip(f"visualizer.run_trace is not importable yet: {exc}")

    [outcome] = run_checks([item], runner, workers=1)

    defects = [
        f"{counter.counter.run.name} ({counter.counter.changes}): {counter.report}"
        for counter in outcome.counters
        if not counter.rejected
    ]
    assert outcome.passed, "\n".join([*outcome.failures, *defects])
    if not isinstance(item, LessonError) and item.counters:
        assert all(counter.report for counter in outcome.counters)  # says why each was rejected
