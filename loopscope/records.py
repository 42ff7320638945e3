"""The records the layers pass each other: frozen, plain, and free of any database or engine.

Storage returns them, the Runs layer makes the run records, and views read them: a view imports
this module, never storage or the Runs layer.

- a learner's place in a lesson: ``Commitment``, ``QuizAnswer``, ``Progress``, ``LessonState``;
- a learner's work: ``Draft``, ``Attempt`` and its ``CheckOutcome``s;
- runs: ``RecordedRun`` (a trace as the pages replay it) and ``RunProgress`` (where a run is,
  in the engine's ``RunState``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from visualizer import Trace
from visualizer.contract.request import RunState

CommitmentKind = Literal["prompt", "myth"]


@dataclass(frozen=True, slots=True)
class Commitment:
    kind: str
    item_id: str
    choice: str
    correct: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QuizAnswer:
    """One answer; ``question_id``, ``correct`` and ``answered_at`` make it a history item."""

    question_id: str
    option_id: str
    correct: bool
    answered_at: datetime
    round: int


@dataclass(frozen=True, slots=True)
class Progress:
    lesson: str
    last_mode: str
    last_item: str | None
    quiz_round: int
    updated_at: datetime
    visited: frozenset[str]


@dataclass(frozen=True, slots=True)
class LessonState:
    progress: Progress | None
    commitments: dict[tuple[str, str], Commitment]
    answers: tuple[QuizAnswer, ...]


@dataclass(frozen=True, slots=True)
class Draft:
    code: str
    call: str


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """One check of an attempt as stored: ``run_id`` and ``step`` locate the replay step."""

    id: str
    text: str
    passed: bool
    detail: str
    run: str | None
    run_id: str | None
    step: int | None


@dataclass(frozen=True, slots=True)
class Attempt:
    id: str
    learner: str
    lesson: str
    place: str
    passed: bool
    checks: tuple[CheckOutcome, ...]
    code: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RecordedRun:
    """One recorded run of a lesson example, as the pages replay it."""

    id: str  # url-safe, stable
    lesson: str  # slug
    example: str  # example name from lesson.yaml
    call: str  # the expression actually run
    knobs: tuple[tuple[str, str], ...]  # knob values used (may be empty)
    trace: Trace
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RunProgress:
    """Where a submitted run is: ``ahead`` counts the queued runs submitted before it."""

    state: RunState
    ahead: int = 0
    run_id: str | None = None
    message: str | None = None
