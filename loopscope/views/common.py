"""View data shared by every lesson page: the mode bar, scores, "continue where you left off".

Templates get these frozen records and only loop and branch over them; all Markdown is already
HTML (``Markup``) and every decision (what is revealed, what is right) is made here.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup

from lessons import reading_minutes
from lessons.models import MODES, Lesson, ModeName, Question
from loopscope.records import Commitment, Progress, QuizAnswer
from loopscope.rendering import MarkdownRenderer

MODE_LABELS: Final[dict[ModeName, str]] = {
    "learn": "Learn",
    "why": "Why",
    "deep": "Deep dive",
    "visual": "Visual",
    "try": "Try",
    "challenge": "Challenge",
    "project": "Project",
    "recall": "Recall",
    "perf": "Perf",
}


@dataclass(frozen=True, slots=True)
class NextLesson:
    """What comes next in the course, at the foot of every lesson page: the next written lesson
    (a link), or, when none is written yet, the next one to come (named, not linked)."""

    slug: str
    title: str
    written: bool = True


@dataclass(frozen=True, slots=True)
class LessonContext:
    """A lesson with the renderer for its Markdown: what ``LessonDep`` gives a route."""

    lesson: Lesson
    md: MarkdownRenderer
    # Reading minutes per mode: computed once, since lesson content does not change at run time.
    minutes: Mapping[ModeName, int]
    next_lesson: NextLesson | None = None

    @classmethod
    def build(
        cls, lesson: Lesson, md: MarkdownRenderer, next_lesson: NextLesson | None = None
    ) -> LessonContext:
        minutes = {mode: reading_minutes(lesson, mode) for mode in MODES}
        return cls(lesson, md, minutes, next_lesson)

    @property
    def slug(self) -> str:
        return self.lesson.slug


@dataclass(frozen=True, slots=True)
class ModeScore:
    correct: int
    answered: int
    total: int

    @property
    def text(self) -> str:
        return f"{self.correct}/{self.total}"

    @property
    def spoken(self) -> str:
        return f"{self.correct} right of {self.total}, {self.answered} answered"


@dataclass(frozen=True, slots=True)
class ModeLink:
    mode: ModeName
    label: str
    minutes: int
    score: ModeScore | None
    visited: bool
    current: bool


@dataclass(frozen=True, slots=True)
class Resume:
    """Where the learner left off: a mode and, when known, the element id of the item."""

    mode: ModeName
    mode_label: str
    anchor: str | None
    item_label: str | None


@dataclass(frozen=True, slots=True)
class LessonHeader:
    slug: str
    title: str
    summary: Markup
    mode: ModeName
    mode_label: str
    modes: tuple[ModeLink, ...]
    resume: Resume | None
    next_lesson: NextLesson | None = None


@dataclass(frozen=True, slots=True)
class OptionView:
    id: str
    text: Markup
    explanation: Markup
    is_answer: bool
    is_chosen: bool


@dataclass(frozen=True, slots=True)
class ChoiceView:
    """A multiple-choice question (a prediction prompt or a quiz question), answered or not."""

    id: str
    question: Markup
    options: tuple[OptionView, ...]
    hint: Markup | None
    answered: bool
    correct: bool | None
    chosen_text: Markup | None
    answer_text: Markup


@dataclass(frozen=True, slots=True)
class LearnerState:
    """Everything stored about one learner in one lesson, read once per request."""

    commitments: Mapping[tuple[str, str], Commitment]
    answers: tuple[QuizAnswer, ...]
    progress: Progress | None

    @property
    def quiz_round(self) -> int:
        return self.progress.quiz_round if self.progress else 1

    @property
    def is_empty(self) -> bool:
        return not self.commitments and not self.answers and self.progress is None

    @property
    def cache_key(self) -> Hashable:
        """Equal for two states that render the same pages (a page cache's key)."""
        return (tuple(sorted(self.commitments.items())), self.answers, self.progress)

    def latest_answers(self) -> dict[str, QuizAnswer]:
        latest: dict[str, QuizAnswer] = {}
        for answer in self.answers:
            latest[answer.question_id] = answer
        return latest

    def round_answers(self) -> dict[str, QuizAnswer]:
        return {a.question_id: a for a in self.answers if a.round == self.quiz_round}


def choice_view(question: Question, chosen: str | None, md: MarkdownRenderer) -> ChoiceView:
    by_id = {option.id: option for option in question.options}
    answered = chosen is not None and chosen in by_id
    return ChoiceView(
        id=question.id,
        question=md.block(question.question),
        options=tuple(
            OptionView(
                id=option.id,
                text=md.inline(option.text),
                explanation=md.block(option.explanation),
                is_answer=option.id == question.answer,
                is_chosen=option.id == chosen,
            )
            for option in question.options
        ),
        hint=md.block(question.hint) if question.hint else None,
        answered=answered,
        correct=(chosen == question.answer) if answered else None,
        chosen_text=md.inline(by_id[chosen].text) if answered and chosen else None,
        answer_text=md.inline(by_id[question.answer].text),
    )


def _score(results: Iterable[bool | None], total: int) -> ModeScore:
    given = [result for result in results if result is not None]
    return ModeScore(correct=sum(given), answered=len(given), total=total)


def mode_scores(lesson: Lesson, state: LearnerState) -> dict[ModeName, ModeScore]:
    """Deep: predictions and myth verdicts; Visual and Recall: the latest answer to each quiz
    question."""
    deep_items = [("prompt", s.prompt.id) for s in lesson.deep.steps if s.prompt is not None]
    deep_items += [("myth", myth.id) for myth in lesson.deep.myths]
    deep = _score(
        (
            state.commitments[item].correct if item in state.commitments else None
            for item in deep_items
        ),
        len(deep_items),
    )
    latest = state.latest_answers()
    recall = _score(
        (latest[q.id].correct if q.id in latest else None for q in lesson.recall.quiz),
        len(lesson.recall.quiz),
    )
    visual = _score(
        (latest[q.id].correct if q.id in latest else None for q in lesson.visual.quiz),
        len(lesson.visual.quiz),
    )
    return {"deep": deep, "visual": visual, "recall": recall}


def item_labels(lesson: Lesson) -> dict[str, str]:
    """Element id -> a short label for every item a learner can leave off at."""
    labels: dict[str, str] = {}
    for number, step in enumerate(lesson.deep.steps, start=1):
        labels[f"step-{step.id}"] = f"step {number}: {step.title.replace('`', '')}"
    for number, myth in enumerate(lesson.deep.myths, start=1):
        labels[f"myth-{myth.id}"] = f"myth {number}"
    for number, question in enumerate(lesson.recall.quiz, start=1):
        labels[f"q-{question.id}"] = f"quiz question {number}"
    for number, question in enumerate(lesson.visual.quiz, start=1):
        labels[f"q-{question.id}"] = f"visual quiz question {number}"
    return labels


def resume(lesson: Lesson, progress: Progress | None) -> Resume | None:
    if progress is None or progress.last_mode not in MODES:
        return None
    mode = next(m for m in MODES if m == progress.last_mode)
    anchor = progress.last_item
    return Resume(
        mode=mode,
        mode_label=MODE_LABELS[mode],
        anchor=anchor,
        item_label=item_labels(lesson).get(anchor) if anchor else None,
    )


def lesson_header(ctx: LessonContext, mode: ModeName, state: LearnerState) -> LessonHeader:
    lesson = ctx.lesson
    scores = mode_scores(lesson, state)
    visited = state.progress.visited if state.progress else frozenset()
    return LessonHeader(
        slug=lesson.slug,
        title=lesson.meta.title,
        summary=ctx.md.inline(lesson.meta.summary),
        mode=mode,
        mode_label=MODE_LABELS[mode],
        modes=tuple(
            ModeLink(
                mode=m,
                label=MODE_LABELS[m],
                minutes=ctx.minutes[m],
                score=scores.get(m),
                visited=m in visited,
                current=m == mode,
            )
            for m in MODES
        ),
        resume=resume(lesson, state.progress),
        next_lesson=ctx.next_lesson,
    )
