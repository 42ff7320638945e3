"""Lesson sources: loading and validating them, and the pure logic the learning modes need.

>>> from lessons import load_catalog, reading_minutes  # doctest: +SKIP
>>> lesson = load_catalog().get("async-http-client-calls")  # doctest: +SKIP
>>> reading_minutes(lesson, "deep")  # doctest: +SKIP
15

The schema of a lesson folder lives in ``lessons.models``; the ``loopscope lessons check``
command in ``lessons.check``.
"""

from lessons.errors import (
    LessonError,
    LessonFileError,
    LessonValidationError,
    Problem,
    UnknownItem,
    UnknownOption,
)
from lessons.evidence_judge import TraceLike, evaluate
from lessons.fences import expand_examples
from lessons.grading import (
    Answer,
    AnswerRecord,
    Grade,
    Score,
    grade,
    grade_myth,
    leitner_boxes,
    review_order,
    score,
)
from lessons.items import find_myth, find_prompt, find_question, questions
from lessons.loader import CONTENT_ROOT, Catalog, load_catalog, load_lesson
from lessons.models import MODES, Lesson, ModeName
from lessons.reading import reading_minutes

__all__ = [
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
]
