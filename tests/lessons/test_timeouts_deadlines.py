"""Lesson 3, "Timeouts that mean what you think": held to the course's bar, its claims run for real.

Every claim passes only when its run holds and every counter-example kept beside it fails the
same check; every challenge and milestone is judged on its solution, its alternatives and its
known-wrong variants, and every check must be failed by at least one of those variants.

The lesson's claims share their runs: all of them are planned together and traced in one batch
(two at a time, each distinct run once), so a run that backs five claims is traced once, and
each claim's test reads its outcome from that batch.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

from lessons import CONTENT_ROOT, LessonError, load_lesson
from lessons.attempt import attempt, coverage_defects
from lessons.check import Outcome, cached_runner, cached_trace, engine_runner, plan, run_checks
from lessons.expectations import Checked
from lessons.judge import Verdict
from lessons.models import Lesson
from visualizer import Trace, TraceRequest, run_trace

SLUG = "timeouts-deadlines"
FOLDER = CONTENT_ROOT / SLUG
LEVELS = ["Foundation"] * 2 + ["Intermediate"] * 3 + ["Advanced", "Expert"]


@cache
def _lesson() -> Lesson:
    return load_lesson(FOLDER)


# --- the bar every lesson of the course is held to ----------------------------------------------


def test_the_course_lists_the_lesson_under_its_own_title() -> None:
    from lessons.loader import load_catalog

    course = load_catalog().course
    assert course is not None
    slugs = [entry.slug for entry in course.entries]  # the course's order, not the folders'
    assert slugs.index(SLUG) == slugs.index("one-client") + 1
    assert _lesson().meta.title == "Timeouts that mean what you think"


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


def test_visual_knobs_rerun_the_example_with_delay_drip_read_timeout_and_deadline() -> None:
    first = _lesson().visual.examples[0]
    assert first.example == _lesson().visual.example
    assert {knob.id for knob in first.knobs} == {"delay", "every", "read", "deadline"}
    assert first.call_template is not None
    call = first.call_template.format(**{knob.id: knob.default for knob in first.knobs})
    assert call == "fetch(delay=0.5, every=0.5, read=1.0, deadline=4.0)"


def test_challenges_project_recall_and_perf_meet_the_bar() -> None:
    lesson = _lesson()
    assert len(lesson.challenge.challenges) >= 2
    for challenge in lesson.challenge.challenges:
        assert any(run.hidden for run in challenge.runs), challenge.id
        assert challenge.starter in {w.example for w in challenge.wrong}, challenge.id
    assert len(lesson.project.steps) >= 3
    assert any(run.hidden for step in lesson.project.steps for run in step.runs)
    assert len(lesson.recall.cards) >= 8
    assert len(lesson.recall.quiz) >= 6
    assert lesson.perf.comparisons


def test_the_steps_teach_asyncio_timeout_and_the_504() -> None:
    sources = _lesson().sources
    assert "asyncio.timeout(deadline)" in sources["step5_deadline"]
    assert "except httpx.HTTPError" in sources["step5_deadline"]
    assert "asyncio.timeout_at(deadline)" in sources["step7_route"]
    assert "status_code=504" in sources["step7_route"]
    assert "X-Budget-Ms" in sources["step7_route"]


# --- claims, run for real, in one shared batch ----------------------------------------------------


def _labels() -> list[str]:
    try:
        return [check.label for check in plan(_lesson(), FOLDER)]
    except LessonError:
        return ["lesson-is-invalid"]


@cache
def _outcomes(kept: Path) -> dict[str, Outcome]:
    """Every claim of the lesson, its runs traced once each (or read from the trace cache).
    The runs mostly sleep on the demo upstream's delays, so four are traced at once."""
    checks = plan(_lesson(), FOLDER)
    runner = cached_runner(engine_runner(), kept)
    ran = run_checks(checks, runner, workers=4)
    return {outcome.check.label: outcome for outcome in ran}


@pytest.mark.slow
@pytest.mark.parametrize("label", _labels())
def test_claim_holds_in_a_real_run(label: str, trace_cache: Path) -> None:
    if label == "lesson-is-invalid":
        load_lesson(FOLDER)  # raises, naming the file, the key and the line
    outcome = _outcomes(trace_cache)[label]
    defects = [
        f"{counter.counter.run.name} ({counter.counter.changes}): {counter.report}"
        for counter in outcome.counters
        if not counter.rejected
    ]
    assert outcome.passed, "\n".join([*outcome.failures, *defects])


# --- challenges and milestones, judged ---------------------------------------------------------


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


def _judge(pair: tuple[str, str], trace: Callable[[TraceRequest], Trace]) -> Verdict:
    exercise, example = pair
    file = FOLDER / _lesson().meta.examples[example].file
    verdict, _ = attempt(_exercises()[exercise], file, trace, origin="lesson")
    return verdict


@cache
def _verdicts(kept: Path) -> dict[tuple[str, str], Verdict]:
    """Every known file judged once; the runs mostly wait on the upstream, so four at once.
    Traces are kept in the shared trace cache, so an unchanged file is not traced again."""
    pairs = sorted({(e, name) for e, name in CORRECT} | {(e, name) for e, name, _ in WRONG})
    trace = cached_trace(run_trace, kept)
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(pairs, pool.map(lambda pair: _judge(pair, trace), pairs), strict=True))


@pytest.fixture
def verdict_of(trace_cache: Path) -> Callable[[str, str], Verdict]:
    return lambda exercise, example: _verdicts(trace_cache)[(exercise, example)]


def _report(verdict: Verdict) -> str:
    return "\n".join(
        f"{c.id}: {'pass' if c.passed else 'FAIL'}: {c.detail}" for c in verdict.checks
    )


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
    assert "deadline.py" in _lesson().meta.examples[code.example].file
    prompt = next(item for item in items if item.kind == "prompt")
    assert prompt.question is not None
    assert grade_item(prompt, prompt.question.answer)
    assert not grade_item(
        prompt, next(o.id for o in prompt.question.options if o.id != prompt.question.answer)
    )
