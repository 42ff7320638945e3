"""Lesson 4, "Fan-out without melting": held to the course's bar, its claims run for real.

Every claim passes only when its run holds and every counter-example kept beside it fails the
same check on the facts it names; every challenge and milestone is judged on its solution, its
alternatives and its known-wrong variants, and every check must be failed by at least one of
those variants. Runs are shared: each distinct run of the lesson's claims is traced once (two
at a time, through the kept-trace cache), and each exercise variant is judged once.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

from lessons import CONTENT_ROOT, LessonError, load_lesson
from lessons.attempt import attempt, coverage_defects
from lessons.check import Outcome, cached_runner, cached_trace, engine_runner, plan, run_checks
from lessons.expectations import Checked, InFlight, Returns
from lessons.judge import Verdict
from lessons.models import Lesson

SLUG = "fan-out-limits"
FOLDER = CONTENT_ROOT / SLUG
LEVELS = ["Foundation"] * 2 + ["Intermediate"] * 3 + ["Advanced", "Expert"]


@cache
def _lesson() -> Lesson:
    return load_lesson(FOLDER)


# --- the bar every lesson of the course is held to ----------------------------------------------


def test_the_course_lists_it_under_its_own_title() -> None:
    from lessons.loader import load_catalog

    course = load_catalog(CONTENT_ROOT).course
    assert course is not None
    [entry] = [e for e in course.entries if e.slug == SLUG]
    assert entry.title == _lesson().meta.title == "Fan-out without melting"


def test_seven_levelled_steps_each_with_a_prediction() -> None:
    steps = _lesson().deep.steps
    assert [step.level for step in steps] == LEVELS
    assert all(step.prompt is not None and step.prompt.evidence for step in steps)
    assert all(step.evidence for step in steps)


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


def test_visual_knobs_set_n_the_pool_and_the_semaphore() -> None:
    first = _lesson().visual.examples[0]
    assert first.example == _lesson().visual.example
    assert {knob.id for knob in first.knobs} == {"n", "max_connections", "bound"}
    assert first.call_template is not None
    assert all("{" + knob.id + "}" in first.call_template for knob in first.knobs)


def test_challenges_project_recall_and_perf_meet_the_bar() -> None:
    lesson = _lesson()
    assert len(lesson.challenge.challenges) >= 2
    for challenge in lesson.challenge.challenges:
        assert any(run.hidden for run in challenge.runs), challenge.id
        assert challenge.starter in {w.example for w in challenge.wrong}, challenge.id
    assert len(lesson.project.steps) >= 3
    assert len(lesson.recall.cards) >= 8
    assert len(lesson.recall.quiz) >= 6
    assert len(lesson.perf.comparisons) >= 2


def test_the_bounded_order_challenge_bounds_and_orders_on_a_hidden_run() -> None:
    """The hidden run's right answer differs from sorted, reversed and completion order."""
    [challenge] = [c for c in _lesson().challenge.challenges if c.id.endswith("in-order")]
    hidden = next(run for run in challenge.runs if run.hidden)
    checks = [c for c in challenge.checks if getattr(c, "run", None) == hidden.id]
    assert {type(c) for c in checks} >= {InFlight}
    [order] = [c for c in checks if isinstance(c, Returns) and c.equals is not None]
    assert order.equals is not None
    ids = ast.literal_eval(order.equals)
    assert ids not in (sorted(ids), sorted(ids, reverse=True), list(reversed(ids)))


def test_step7_uses_a_kept_rate_limiter() -> None:
    sources = _lesson().sources
    assert "from aiolimiter import AsyncLimiter" in sources["step7_rate_limit"]
    assert "retry-after" in sources["step7_rate_limit"]
    assert "AsyncLimiter" in sources["project_solution"]


# --- claims, run for real (each distinct run traced once) ---------------------------------------


def _checks() -> list[object]:
    try:
        lesson = load_lesson(FOLDER)
    except LessonError as exc:
        return [pytest.param(exc, id="lesson-is-invalid")]
    return [pytest.param(check.label, id=check.label) for check in plan(lesson, FOLDER)]


@pytest.fixture(scope="module")
def outcomes(trace_cache: Path) -> dict[str, Outcome]:
    try:
        runner = cached_runner(engine_runner(), trace_cache)
    except ImportError as exc:
        pytest.skip(f"the trace engine is unavailable: {exc}")
    checks = plan(_lesson(), FOLDER)
    return {o.check.label: o for o in run_checks(checks, runner, workers=2)}


@pytest.mark.slow
@pytest.mark.parametrize("label", _checks())
def test_claim_holds_in_a_real_run(label: str | LessonError, outcomes: dict[str, Outcome]) -> None:
    if isinstance(label, LessonError):
        pytest.fail(str(label))
    outcome = outcomes[label]
    defects = [
        f"{counter.counter.run.name} ({counter.counter.changes}): {counter.report}"
        for counter in outcome.counters
        if not counter.rejected
    ]
    assert outcome.passed, "\n".join([*outcome.failures, *defects])


# --- challenges and milestones, judged -----------------------------------------------------------


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


Judged = Callable[[str], dict[str, Verdict]]


@pytest.fixture(scope="module")
def judged(trace_cache: Path) -> Judged:
    """Every variant of one exercise, judged once (two at a time), runs kept in the cache."""
    from visualizer import run_trace

    trace = cached_trace(run_trace, trace_cache)

    def judge(exercise: str, example: str) -> Verdict:
        file = FOLDER / _lesson().meta.examples[example].file
        verdict, _ = attempt(_exercises()[exercise], file, trace, origin="lesson")
        return verdict

    @cache
    def verdicts(exercise: str) -> dict[str, Verdict]:
        names = sorted(
            {n for e, n in CORRECT if e == exercise} | {n for e, n, _ in WRONG if e == exercise}
        )
        with ThreadPoolExecutor(max_workers=2) as pool:
            found = pool.map(lambda name: judge(exercise, name), names)
            return dict(zip(names, found, strict=True))

    return verdicts


def _report(verdict: Verdict) -> str:
    return "\n".join(
        f"{c.id}: {'pass' if c.passed else 'FAIL'}: {c.detail}" for c in verdict.checks
    )


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "example"), CORRECT)
def test_correct_solutions_pass_every_check(exercise: str, example: str, judged: Judged) -> None:
    verdict = judged(exercise)[example]
    assert verdict.passed, _report(verdict)


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "example", "fails"), WRONG)
def test_wrong_variants_fail_their_checks(
    exercise: str, example: str, fails: tuple[str, ...], judged: Judged
) -> None:
    verdict = judged(exercise)[example]
    missed = set(fails) - set(verdict.failed())
    assert not missed, f"{example} should fail {sorted(missed)}:\n{_report(verdict)}"


@pytest.mark.slow
@pytest.mark.parametrize("exercise", list(_exercises()))
def test_every_check_rejects_a_known_wrong_variant(exercise: str, judged: Judged) -> None:
    checked = _exercises()[exercise]
    verdicts = {w.example: judged(exercise)[w.example] for w in checked.wrong}
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
    prompt = next(item for item in items if item.kind == "prompt")
    assert prompt.question is not None
    assert grade_item(prompt, prompt.question.answer)
    assert not grade_item(
        prompt, next(o.id for o in prompt.question.options if o.id != prompt.question.answer)
    )
