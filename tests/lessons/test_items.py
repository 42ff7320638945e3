from __future__ import annotations

import pytest
from lesson_helpers import FIXTURES, TINY

from lessons import UnknownItem, find_myth, find_prompt, find_question, load_lesson, questions
from lessons.models import Lesson


@pytest.fixture(scope="module")
def lesson() -> Lesson:
    return load_lesson(FIXTURES / TINY)


def test_find_prompt(lesson: Lesson) -> None:
    assert find_prompt(lesson, "prompt-fetch").answer == "yes"


def test_find_myth(lesson: Lesson) -> None:
    assert find_myth(lesson, "myth-faster").holds is False


@pytest.mark.parametrize(
    ("mode", "item_id"),
    [("deep", "prompt-fetch"), ("visual", "quiz-arrives"), ("recall", "recall-two")],
)
def test_find_question_per_mode(lesson: Lesson, mode: str, item_id: str) -> None:
    assert find_question(lesson, mode, item_id).id == item_id  # type: ignore[arg-type]


def test_questions_of_a_mode_without_any(lesson: Lesson) -> None:
    assert questions(lesson, "perf") == ()


@pytest.mark.parametrize(
    ("find", "message"),
    [
        (lambda lesson: find_prompt(lesson, "nope"), "lesson 'tiny-lesson' has no prompt 'nope'"),
        (lambda lesson: find_myth(lesson, "prompt-fetch"), "has no myth 'prompt-fetch'"),
        (lambda lesson: find_question(lesson, "recall", "quiz-arrives"),
         "has no recall question 'quiz-arrives'"),
        (lambda lesson: find_question(lesson, "learn", "x"), "has no learn question 'x'"),
    ],
)  # fmt: skip
def test_unknown_items(lesson: Lesson, find: object, message: str) -> None:
    with pytest.raises(UnknownItem, match=message):
        find(lesson)  # type: ignore[operator]
