"""The bar every written lesson of the course is held to (issue 20), one test per item, each
parametrized over the course's lessons; the lessons' claims run for real and their exercises
are judged on every solution, alternative and known-wrong variant.

Every claim passes only when its run holds, its words say what the run measured and decided,
and every counter-example kept beside it fails the same check on the fact it names; every check
of a challenge or milestone must be failed by at least one of its known-wrong variants. Runs are
traced together, up front and several at once, into the shared trace cache (``course_traces``),
so an unchanged lesson costs no tracing (helpers in ``lesson_helpers``).

What is one lesson's own (its knobs, its sources, its titles) stays in its own test file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from lesson_helpers import (
    claim_defects,
    claim_outcomes,
    correct_variants,
    edit_yaml,
    exercise_verdicts,
    exercises,
    planned_claims,
    verdict_report,
    written_lesson,
    wrong_variants,
)

from lessons import CONTENT_ROOT, LessonError, load_lesson
from lessons.attempt import coverage_defects
from lessons.check import Check
from lessons.models import Lesson

COURSE = [e["slug"] for e in yaml.safe_load((CONTENT_ROOT / "course.yaml").read_text())["lessons"]]
# Lesson 1 came before the bar and misses it: its seven steps are levelled Foundation x2,
# Intermediate x3, Advanced, Intermediate (no Expert step), and steps 1 and 2 have no prediction
# to commit before the reveal. Its own facts are held by test_real_lesson.py and its claims by
# test_examples_run.py / test_checked_exercises.py.
EXCEPTIONS = {"async-http-client-calls": "no Expert step; steps 1 and 2 have no prediction"}
LESSONS = [slug for slug in COURSE if (CONTENT_ROOT / slug).is_dir() and slug not in EXCEPTIONS]
LEVELS = ["Foundation"] * 2 + ["Intermediate"] * 3 + ["Advanced", "Expert"]


def test_every_written_lesson_is_held_to_the_bar_or_named_as_an_exception() -> None:
    written = {p.name for p in CONTENT_ROOT.iterdir() if (p / "lesson.yaml").is_file()}
    assert written == {*LESSONS, *EXCEPTIONS}
    assert len(LESSONS) >= 4


# --- the bar, as checks of a loaded lesson (so a broken copy can be shown to miss it) -----------


def assert_steps(lesson: Lesson) -> None:
    """Seven levelled steps, each with a prediction backed by a run, and its own evidence."""
    steps = lesson.deep.steps
    assert [step.level for step in steps] == LEVELS
    assert all(step.prompt is not None and step.prompt.evidence for step in steps)
    assert all(step.evidence for step in steps)


def assert_myths_pitfalls_and_options(lesson: Lesson) -> None:
    assert len(lesson.deep.myths) >= 3
    assert len(lesson.deep.pitfalls) >= 3
    questions = [s.prompt for s in lesson.deep.steps if s.prompt] + [
        *lesson.recall.quiz,
        *lesson.visual.quiz,
    ]
    for question in questions:
        assert all(option.explanation.strip() for option in question.options), question.id


def assert_visual(lesson: Lesson) -> None:
    """A recorded example whose knobs (at least two) each fill the call that reruns it."""
    first = lesson.visual.examples[0]
    assert first.example == lesson.visual.example
    assert len(first.knobs) >= 2
    assert first.call_template is not None
    assert all("{" + knob.id + "}" in first.call_template for knob in first.knobs)


def assert_exercises_recall_and_perf(lesson: Lesson) -> None:
    assert len(lesson.challenge.challenges) >= 2
    for challenge in lesson.challenge.challenges:
        assert any(run.hidden for run in challenge.runs), challenge.id
        assert challenge.starter in {w.example for w in challenge.wrong}, challenge.id
    assert len(lesson.project.steps) >= 3
    assert any(run.hidden for step in lesson.project.steps for run in step.runs)
    assert len(lesson.recall.cards) >= 8
    assert len(lesson.recall.quiz) >= 6
    assert lesson.perf.comparisons


@pytest.mark.parametrize("slug", LESSONS)
def test_seven_levelled_steps_each_with_a_prediction(slug: str) -> None:
    assert_steps(written_lesson(slug))


@pytest.mark.parametrize("slug", LESSONS)
def test_myths_pitfalls_and_every_option_explained(slug: str) -> None:
    assert_myths_pitfalls_and_options(written_lesson(slug))


@pytest.mark.parametrize("slug", LESSONS)
def test_visual_has_a_recorded_example_with_two_knobs_that_rerun_it(slug: str) -> None:
    assert_visual(written_lesson(slug))


@pytest.mark.parametrize("slug", LESSONS)
def test_challenges_project_recall_and_perf_meet_the_bar(slug: str) -> None:
    assert_exercises_recall_and_perf(written_lesson(slug))


@pytest.mark.parametrize("slug", LESSONS)
def test_the_course_lists_the_lesson_under_its_own_title(slug: str) -> None:
    from lessons.loader import load_catalog

    course = load_catalog(CONTENT_ROOT).course
    assert course is not None
    [entry] = [e for e in course.entries if e.slug == slug]
    assert entry.written
    assert entry.title == written_lesson(slug).meta.title


@pytest.mark.parametrize("slug", LESSONS)
def test_a_room_gets_the_lessons_predictions_myths_quizzes_and_a_code_item(slug: str) -> None:
    from loopscope.rooms.items import grade_item, room_items

    lesson = written_lesson(slug)
    items = room_items(lesson)
    kinds = [item.kind for item in items]
    assert kinds.count("prompt") == 7
    assert kinds.count("myth") == len(lesson.deep.myths)
    assert kinds.count("recall") == len(lesson.recall.quiz)
    assert kinds.count("visual") == len(lesson.visual.quiz)
    [code] = [item for item in items if item.kind == "example"]
    assert code.example == "canonical"
    prompt = next(item for item in items if item.kind == "prompt")
    assert prompt.question is not None
    assert grade_item(prompt, prompt.question.answer)
    assert not grade_item(
        prompt, next(o.id for o in prompt.question.options if o.id != prompt.question.answer)
    )


# --- the bar's checks reject a copy of each lesson that misses it -------------------------------


def _broken_copy(tmp_path: Path, slug: str, file: str, change: object) -> Lesson:
    folder = tmp_path / slug
    shutil.copytree(CONTENT_ROOT / slug, folder)
    edit_yaml(folder / file, change)  # type: ignore[arg-type]
    return load_lesson(folder)


@pytest.mark.parametrize("slug", LESSONS)
def test_the_bar_rejects_a_step_without_a_prediction(slug: str, tmp_path: Path) -> None:
    lesson = _broken_copy(tmp_path, slug, "deep.yaml", lambda d: d["steps"][-1].pop("prompt"))
    with pytest.raises(AssertionError):
        assert_steps(lesson)


@pytest.mark.parametrize("slug", LESSONS)
def test_the_bar_rejects_seven_cards(slug: str, tmp_path: Path) -> None:
    lesson = _broken_copy(
        tmp_path, slug, "recall.yaml", lambda d: d.__setitem__("cards", d["cards"][:7])
    )
    with pytest.raises(AssertionError):
        assert_exercises_recall_and_perf(lesson)


# --- claims, run for real -----------------------------------------------------------------------

CLAIMS = [
    pytest.param(slug, item, id=f"{slug}/{item.label if isinstance(item, Check) else 'invalid'}")
    for slug in LESSONS
    for item in planned_claims(slug)
]


@pytest.mark.parametrize("slug", LESSONS)
def test_every_claim_is_bound_before_anything_runs(slug: str) -> None:
    """Each counter-example names the fact it flips, each question and myth says what its run
    decides, and that agrees with the answer: all of it is known without running anything."""
    checks = planned_claims(slug)
    assert all(isinstance(check, Check) for check in checks), checks
    unbound = {c.label: c.static for c in checks if isinstance(c, Check) and c.static}
    assert not unbound


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "item"), CLAIMS)
def test_claim_holds_in_a_real_run(
    slug: str, item: Check | LessonError, course_traces: Path
) -> None:
    if isinstance(item, LessonError):
        pytest.fail(str(item))
    outcome = claim_outcomes(slug, course_traces)[item.label]
    assert outcome.passed, "\n".join(claim_defects(outcome))


# --- challenges and milestones, judged ----------------------------------------------------------

CORRECT = [
    pytest.param(slug, e, name, id=f"{slug}/{e}/{name}")
    for slug in LESSONS
    for e, name in correct_variants(written_lesson(slug))
]
WRONG = [
    pytest.param(slug, e, name, fails, id=f"{slug}/{e}/{name}")
    for slug in LESSONS
    for e, name, fails in wrong_variants(written_lesson(slug))
]
EXERCISES = [
    pytest.param(slug, e, id=f"{slug}/{e}")
    for slug in LESSONS
    for e in exercises(written_lesson(slug))
]


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "exercise", "example"), CORRECT)
def test_correct_solutions_pass_every_check(
    slug: str, exercise: str, example: str, course_traces: Path
) -> None:
    verdict = exercise_verdicts(slug, course_traces)[(exercise, example)]
    assert verdict.passed, verdict_report(verdict)


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "exercise", "example", "fails"), WRONG)
def test_wrong_variants_fail_their_checks(
    slug: str, exercise: str, example: str, fails: tuple[str, ...], course_traces: Path
) -> None:
    verdict = exercise_verdicts(slug, course_traces)[(exercise, example)]
    missed = set(fails) - set(verdict.failed())
    assert not missed, f"{example} should fail {sorted(missed)}:\n{verdict_report(verdict)}"


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "exercise"), EXERCISES)
def test_every_check_rejects_a_known_wrong_variant(
    slug: str, exercise: str, course_traces: Path
) -> None:
    checked = exercises(written_lesson(slug))[exercise]
    judged = exercise_verdicts(slug, course_traces)
    verdicts = {w.example: judged[(exercise, w.example)] for w in checked.wrong}
    assert coverage_defects(checked, verdicts) == ()
