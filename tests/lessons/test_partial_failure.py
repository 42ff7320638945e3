"""Lesson 5, "When one of N fails": held to the course's bar, its claims run for real.

Every claim passes only when its run holds and every counter-example kept beside it fails the
same check; every challenge and milestone is judged on its solution, its alternatives and its
known-wrong variants, and every check must be failed by at least one of those variants.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

from lessons import CONTENT_ROOT, LessonError, load_lesson
from lessons.attempt import attempt, coverage_defects
from lessons.check import (
    WORKERS,
    Check,
    Outcome,
    cached_runner,
    cached_trace,
    engine_runner,
    plan,
    run_checks,
)
from lessons.expectations import Checked
from lessons.judge import Verdict
from lessons.models import Lesson

SLUG = "partial-failure"
FOLDER = CONTENT_ROOT / SLUG
LEVELS = ["Foundation"] * 2 + ["Intermediate"] * 3 + ["Advanced", "Expert"]


@cache
def _lesson() -> Lesson:
    return load_lesson(FOLDER)


# --- the bar every lesson of the course is held to ----------------------------------------------


def test_seven_levelled_steps_each_with_a_prediction() -> None:
    steps = _lesson().deep.steps
    assert [step.level for step in steps] == LEVELS
    assert all(step.prompt is not None for step in steps)
    assert all(step.evidence is not None for step in steps)


def test_myths_pitfalls_and_every_option_explained() -> None:
    lesson = _lesson()
    assert len(lesson.deep.myths) >= 3
    assert len(lesson.deep.pitfalls) >= 3
    questions = [s.prompt for s in lesson.deep.steps if s.prompt] + [
        *lesson.recall.quiz,
        *lesson.visual.quiz,
    ]
    for question in questions:
        assert all(option.explanation.strip() for option in question.options), question.id


def test_visual_has_a_recorded_example_with_knobs_for_the_failure_and_the_grouping() -> None:
    first = _lesson().visual.examples[0]
    assert first.example == _lesson().visual.example
    knobs = {knob.id: knob for knob in first.knobs}
    assert set(knobs["how"].choices) == {"status", "timeout", "connect"}
    assert set(knobs["group"].choices) >= {"gather", "taskgroup"}
    assert "failing" in knobs
    assert first.call_template is not None


def test_challenges_project_recall_and_perf_meet_the_bar() -> None:
    lesson = _lesson()
    assert len(lesson.challenge.challenges) >= 2
    for challenge in lesson.challenge.challenges:
        assert any(run.hidden for run in challenge.runs), challenge.id
        assert challenge.starter in {w.example for w in challenge.wrong}, challenge.id
    assert len(lesson.project.steps) >= 3
    assert len(lesson.recall.cards) >= 8
    assert len(lesson.recall.quiz) >= 6
    assert lesson.perf.comparisons


def test_the_steps_use_what_the_issue_names() -> None:
    sources = _lesson().sources
    assert "raise_for_status()" in sources["step1_exceptions"]
    assert "return_exceptions=True" in sources["step3_return_exceptions"]
    assert "except* httpx.HTTPStatusError" in sources["step4_taskgroup"]
    assert "asyncio.shield" in sources["step6_shield"]
    assert "status_code=502" in sources["step7_route"]


def test_the_course_lists_the_lesson_under_its_own_title() -> None:
    from lessons.course import load_course

    entry = load_course(CONTENT_ROOT, [_lesson()]).get(SLUG)
    assert entry is not None
    assert entry.written
    assert entry.title == _lesson().meta.title


# --- claims, run for real -----------------------------------------------------------------------
# All of the lesson's runs are traced together, once each, and kept in the shared trace cache
# (the one test_examples_run.py and test_mutations.py use): an unchanged run is not traced again.


def _checks() -> list[object]:
    try:
        lesson = load_lesson(FOLDER)
    except LessonError as exc:
        return [pytest.param(exc, id="lesson-is-invalid")]
    return [pytest.param(check, id=check.label) for check in plan(lesson, FOLDER)]


CHECKS = _checks()


@cache
def _outcomes(kept: Path) -> dict[str, Outcome]:
    checks = [p.values[0] for p in CHECKS if isinstance(p.values[0], Check)]  # type: ignore[attr-defined]
    runner = cached_runner(engine_runner(), kept)
    return {o.check.label: o for o in run_checks(checks, runner, workers=WORKERS)}


@pytest.mark.slow
@pytest.mark.parametrize("item", CHECKS)
def test_claim_holds_in_a_real_run(item: Check | LessonError, trace_cache: Path) -> None:
    if isinstance(item, LessonError):
        pytest.fail(str(item))
    outcome = _outcomes(trace_cache)[item.label]
    defects = [
        f"{counter.counter.run.name} ({counter.counter.changes}): {counter.report}"
        for counter in outcome.counters
        if not counter.rejected
    ]
    assert outcome.passed, "\n".join([*outcome.failures, *defects])


# --- challenges and milestones, judged -----------------------------------------------------


def _exercises() -> dict[str, Checked]:
    lesson = _lesson()
    found: dict[str, Checked] = {c.id: c for c in lesson.challenge.challenges}
    found.update({f"project/{step.id}": step for step in lesson.project.steps})
    return found


def _correct(exercise: str) -> tuple[str, ...]:
    checked = _exercises()[exercise]
    solution = getattr(checked, "solution", _lesson().project.solution)
    return (solution, *checked.alternatives)


CORRECT = [(e, name) for e in _exercises() for name in _correct(e)]
WRONG = [(e, w.example, w.fails) for e, c in _exercises().items() for w in c.wrong]


@cache
def _verdicts(kept: Path) -> dict[tuple[str, str], Verdict]:
    """Every known file judged once, its runs kept in the shared trace cache; the runs mostly
    wait on the upstream, so several at once."""
    from visualizer import run_trace

    trace = cached_trace(run_trace, kept)

    def judge(pair: tuple[str, str]) -> Verdict:
        exercise, example = pair
        file = FOLDER / _lesson().meta.examples[example].file
        return attempt(_exercises()[exercise], file, trace, origin="lesson")[0]

    pairs = sorted({(e, name) for e, name in CORRECT} | {(e, name) for e, name, _ in WRONG})
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(pairs, pool.map(judge, pairs), strict=True))


def _report(verdict: Verdict) -> str:
    return "\n".join(
        f"{c.id}: {'pass' if c.passed else 'FAIL'}: {c.detail}" for c in verdict.checks
    )


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "example"), CORRECT)
def test_correct_solutions_pass_every_check(exercise: str, example: str, trace_cache: Path) -> None:
    verdict = _verdicts(trace_cache)[(exercise, example)]
    assert verdict.passed, _report(verdict)


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "example", "fails"), WRONG)
def test_wrong_variants_fail_their_checks(
    exercise: str, example: str, fails: tuple[str, ...], trace_cache: Path
) -> None:
    verdict = _verdicts(trace_cache)[(exercise, example)]
    missed = set(fails) - set(verdict.failed())
    assert not missed, f"{example} should fail {sorted(missed)}:\n{_report(verdict)}"


@pytest.mark.slow
@pytest.mark.parametrize("exercise", list(_exercises()))
def test_every_check_rejects_a_known_wrong_variant(exercise: str, trace_cache: Path) -> None:
    checked = _exercises()[exercise]
    verdicts = {w.example: _verdicts(trace_cache)[(exercise, w.example)] for w in checked.wrong}
    assert coverage_defects(checked, verdicts) == ()


def test_a_room_gets_the_lessons_predictions_myths_quizzes_and_a_code_item() -> None:
    from loopscope.rooms.items import grade_item, room_items

    items = room_items(_lesson())
    kinds = [item.kind for item in items]
    assert kinds.count("prompt") == 7
    assert kinds.count("myth") == len(_lesson().deep.myths)
    assert kinds.count("recall") == len(_lesson().recall.quiz)
    assert kinds.count("visual") == len(_lesson().visual.quiz)
    [code] = [item for item in items if item.kind == "example"]
    assert code.example == "canonical"
    assert "dashboard.py" in _lesson().meta.examples[code.example].file
    prompt = next(item for item in items if item.kind == "prompt")
    assert prompt.question is not None
    assert grade_item(prompt, prompt.question.answer)
    assert not grade_item(
        prompt, next(o.id for o in prompt.question.options if o.id != prompt.question.answer)
    )
