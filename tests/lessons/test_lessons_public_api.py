from __future__ import annotations

import doctest
import importlib

import pytest

import lessons

PUBLIC = {
    "CONTENT_ROOT",
    "MODES",
    "Answer",
    "AnswerRecord",
    "Catalog",
    "Grade",
    "Lesson",
    "LessonError",
    "LessonFileError",
    "LessonValidationError",
    "ModeName",
    "Problem",
    "Score",
    "TraceLike",
    "UnknownItem",
    "UnknownOption",
    "evaluate",
    "expand_examples",
    "find_myth",
    "find_prompt",
    "find_question",
    "grade",
    "grade_myth",
    "leitner_boxes",
    "load_catalog",
    "load_lesson",
    "questions",
    "reading_minutes",
    "review_order",
    "score",
}


def test_public_surface_is_exactly_all() -> None:
    assert set(lessons.__all__) == PUBLIC
    assert len(lessons.__all__) == len(PUBLIC)
    for name in lessons.__all__:
        assert hasattr(lessons, name), name
    exported = {name for name in vars(lessons) if not name.startswith("_")}
    submodules = {"attempt", "check", "claims", "course", "crossref", "documents", "errors",
                  "evidence_judge", "exercise_checks", "facts", "fences", "grading", "handlers",
                  "items",
                  "judge", "loader", "models", "models_base", "mutations", "reading",
                  "statements", "walk"}  # fmt: skip
    assert exported - submodules == PUBLIC


def test_every_error_is_a_lesson_error() -> None:
    for error in (
        lessons.LessonFileError,
        lessons.LessonValidationError,
        lessons.UnknownItem,
        lessons.UnknownOption,
    ):
        assert issubclass(error, lessons.LessonError)


@pytest.mark.parametrize(
    "module",
    ["lessons.errors", "lessons.evidence_judge", "lessons.facts", "lessons.fences",
     "lessons.handlers", "lessons.grading", "lessons.reading", "lessons.walk"],
)  # fmt: skip
def test_docstring_examples_hold(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))

    assert result.failed == 0
