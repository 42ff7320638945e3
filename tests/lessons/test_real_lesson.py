"""The real lesson in lessons/content loads, and its shape and reading times are as outlined."""

from __future__ import annotations

import pytest

from lessons import CONTENT_ROOT, load_catalog, load_lesson, reading_minutes
from lessons.models import MODES, Lesson
from lessons.reading import PROSE_WORDS_PER_MINUTE, reading_counts

SLUG = "async-http-client-calls"
FOLDER = CONTENT_ROOT / SLUG

pytestmark = pytest.mark.skipif(not FOLDER.is_dir(), reason=f"{FOLDER} is not written yet")


@pytest.fixture(scope="module")
def lesson() -> Lesson:
    return load_lesson(FOLDER)


def test_the_catalog_loads_and_holds_the_lesson() -> None:
    assert load_catalog().get(SLUG) is not None


def test_seven_steps_and_their_levels(lesson: Lesson) -> None:
    # Sharing one client (step 7) is a day-one habit in learn.md, so it is no "Expert" step.
    levels = [step.level for step in lesson.deep.steps]

    assert levels == [
        "Foundation",
        "Foundation",
        "Intermediate",
        "Intermediate",
        "Intermediate",
        "Advanced",
        "Intermediate",
    ]
    assert [step.prompt is not None for step in lesson.deep.steps] == [False] * 2 + [True] * 5


def test_four_myths_three_pitfalls_five_takeaways(lesson: Lesson) -> None:
    assert len(lesson.deep.myths) == 4
    assert len(lesson.deep.pitfalls) == 3
    assert len(lesson.deep.takeaways) == 5


def test_visual_reference_table_has_seven_rows(lesson: Lesson) -> None:
    assert len(lesson.visual.reference_table) == 7
    assert len(lesson.visual.quiz) == 3


def test_visual_reading_time_is_near_the_outline(lesson: Lesson) -> None:
    assert 5 <= reading_minutes(lesson, "visual") <= 13


def test_deep_reading_time_counts_its_code(lesson: Lesson) -> None:
    # The outline's "about 15 minutes" is for prose alone; Deep also shows ~225 lines of code.
    counts = reading_counts(lesson, "deep")

    assert 12 <= counts.words / PROSE_WORDS_PER_MINUTE <= 18
    assert reading_minutes(lesson, "deep") > round(counts.words / PROSE_WORDS_PER_MINUTE)


def test_deep_is_the_longest_mode(lesson: Lesson) -> None:
    deep = reading_minutes(lesson, "deep")

    assert all(reading_minutes(lesson, mode) < deep for mode in MODES if mode != "deep")
