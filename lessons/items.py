"""Finding the items a learner commits answers to, by id; ``UnknownItem`` when absent.

>>> find_myth(lesson, "myth-faster").holds  # doctest: +SKIP
False
"""

from __future__ import annotations

from lessons.errors import UnknownItem
from lessons.models import Lesson, ModeName, Myth, Prompt, Question


def find_prompt(lesson: Lesson, item_id: str) -> Prompt:
    """The prediction prompt of a Deep step."""
    for step in lesson.deep.steps:
        if step.prompt is not None and step.prompt.id == item_id:
            return step.prompt
    raise UnknownItem("prompt", item_id, lesson=lesson.slug)


def find_myth(lesson: Lesson, item_id: str) -> Myth:
    for myth in lesson.deep.myths:
        if myth.id == item_id:
            return myth
    raise UnknownItem("myth", item_id, lesson=lesson.slug)


def questions(lesson: Lesson, mode: ModeName) -> tuple[Question, ...]:
    """The multiple-choice questions a mode asks: Deep's prompts, Visual's and Recall's quizzes."""
    if mode == "deep":
        return tuple(step.prompt for step in lesson.deep.steps if step.prompt is not None)
    if mode == "visual":
        return lesson.visual.quiz
    if mode == "recall":
        return lesson.recall.quiz
    return ()


def find_question(lesson: Lesson, mode: ModeName, item_id: str) -> Question:
    for question in questions(lesson, mode):
        if question.id == item_id:
            return question
    raise UnknownItem(f"{mode} question", item_id, lesson=lesson.slug)
