"""Grading answers and choosing what to review next; pure functions, no storage.

Review order is a small Leitner scheme. Replaying a question's answers oldest first, a right
answer moves it up one box (1 to 5) and a wrong one sends it back to box 1. Then:

1. questions whose latest answer was wrong come first, the most recently missed first;
2. then questions never answered, in lesson order;
3. then the rest, lowest box first (least learned), and within a box the least recently
   answered first.

>>> from lessons.models import Option, Question
>>> q = Question(id="q", question="2 + 2?", answer="b", options=(
...     Option(id="a", text="3", explanation="Off by one."),
...     Option(id="b", text="4", explanation="Right."),
... ))
>>> grade(q, "a").correct
False
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol, TypeVar

from lessons.errors import UnknownItem, UnknownOption
from lessons.models import Myth, Option, Question

TOP_BOX: Final = 5

Q = TypeVar("Q", bound=Question)


@dataclass(frozen=True, slots=True)
class Grade:
    """The verdict on one answer, with both options so the page can explain either."""

    question_id: str
    correct: bool
    chosen: Option
    right: Option

    @property
    def explanation(self) -> str:
        """Why the chosen option is right or wrong."""
        return self.chosen.explanation


@dataclass(frozen=True, slots=True)
class Score:
    grades: tuple[Grade, ...]
    total: int  # questions asked, answered or not

    @property
    def correct(self) -> int:
        return sum(grade.correct for grade in self.grades)

    @property
    def answered(self) -> int:
        return len(self.grades)


class AnswerRecord(Protocol):
    """One past answer, as stored by the app (any object with these attributes will do)."""

    @property
    def question_id(self) -> str: ...
    @property
    def correct(self) -> bool: ...
    @property
    def answered_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Answer:
    """A plain ``AnswerRecord``."""

    question_id: str
    correct: bool
    answered_at: datetime


def grade(question: Question, option_id: str) -> Grade:
    """Grade one answer; ``UnknownOption`` when ``option_id`` is none of the question's options."""
    options = {option.id: option for option in question.options}
    chosen = options.get(option_id)
    if chosen is None:
        raise UnknownOption(question.id, option_id, tuple(options))
    return Grade(question.id, option_id == question.answer, chosen, options[question.answer])


def grade_myth(myth: Myth, *, holds: bool) -> bool:
    """Whether a learner's verdict on a myth ("it holds" or not) is right."""
    return holds == myth.holds


def score(questions: Sequence[Question], answers: Mapping[str, str]) -> Score:
    """Grade a quiz: ``answers`` maps question id to option id; missing answers count as wrong."""
    by_id = {question.id: question for question in questions}
    for question_id in answers:
        if question_id not in by_id:
            raise UnknownItem("question", question_id)
    grades = tuple(
        grade(question, answers[question.id]) for question in questions if question.id in answers
    )
    return Score(grades, len(questions))


@dataclass(slots=True)
class _State:
    box: int = 0
    last_correct: bool = True
    last_at: datetime | None = None


def leitner_boxes(history: Iterable[AnswerRecord]) -> dict[str, int]:
    """Question id -> its Leitner box (1 to ``TOP_BOX``) after replaying ``history``."""
    return {question_id: state.box for question_id, state in _replay(history).items()}


def review_order(questions: Sequence[Q], history: Iterable[AnswerRecord]) -> list[Q]:
    """All ``questions``, the ones most in need of review first (see the module docstring)."""
    states = _replay(history)
    missed: list[tuple[datetime, int, Q]] = []
    unseen: list[Q] = []
    known: list[tuple[int, datetime, int, Q]] = []
    for index, question in enumerate(questions):
        state = states.get(question.id)
        if state is None or state.last_at is None:
            unseen.append(question)
        elif not state.last_correct:
            missed.append((state.last_at, index, question))
        else:
            known.append((state.box, state.last_at, index, question))
    missed.sort(key=lambda entry: (-entry[0].timestamp(), entry[1]))
    known.sort(key=lambda entry: entry[:3])
    return [entry[-1] for entry in missed] + unseen + [entry[-1] for entry in known]


def _replay(history: Iterable[AnswerRecord]) -> dict[str, _State]:
    states: dict[str, _State] = {}
    for record in sorted(history, key=lambda record: record.answered_at):
        state = states.setdefault(record.question_id, _State())
        state.box = min(state.box + 1, TOP_BOX) if record.correct else 1
        state.last_correct = record.correct
        state.last_at = record.answered_at
    return states
