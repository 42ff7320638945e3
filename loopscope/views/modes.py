"""View data for each of the nine learning modes, built from a lesson and the learner's state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup

from lessons import review_order
from lessons.fences import fences
from lessons.models import BuildStep, Lesson, ModeName, Myth, Pitfall, Titled
from loopscope.rendering import MarkdownRenderer
from loopscope.views.common import ChoiceView, LearnerState, LessonContext, choice_view


@dataclass(frozen=True, slots=True)
class TitledView:
    title: Markup
    body: Markup


def _titled(items: tuple[Titled, ...], md: MarkdownRenderer) -> tuple[TitledView, ...]:
    return tuple(TitledView(md.inline(item.title), md.block(item.body)) for item in items)


def _lines(items: tuple[str, ...], md: MarkdownRenderer) -> tuple[Markup, ...]:
    return tuple(md.inline(item) for item in items)


# --- Learn and Why ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LearnView:
    heading: str
    body: Markup
    prerequisites: tuple[Markup, ...]
    next_topics: tuple[Markup, ...]


def learn_view(ctx: LessonContext, state: LearnerState) -> LearnView:
    lesson = ctx.lesson
    title = lesson.learn.title
    return LearnView(
        heading="Learn" if title == lesson.meta.title else f"Learn: {title}",
        body=ctx.md.block(lesson.learn.body),
        prerequisites=_lines(lesson.meta.prerequisites, ctx.md),
        next_topics=_lines(lesson.meta.next_topics, ctx.md),
    )


@dataclass(frozen=True, slots=True)
class WhyView:
    big_idea: Markup
    scenario: Markup
    problem: Markup
    solution: Markup
    before: Markup
    after: Markup
    before_title: str
    after_title: str
    before_after_note: Markup
    real_life: Markup
    takeaways: tuple[Markup, ...]


def why_view(ctx: LessonContext, state: LearnerState) -> WhyView:
    why, md, examples = ctx.lesson.why, ctx.md, ctx.lesson.meta.examples
    return WhyView(
        big_idea=md.block(why.big_idea),
        scenario=md.block(why.scenario),
        problem=md.block(why.problem),
        solution=md.block(why.solution),
        before=md.code(why.before),
        after=md.code(why.after),
        before_title=examples[why.before].title,
        after_title=examples[why.after].title,
        before_after_note=md.block(why.before_after_note),
        real_life=md.block(why.real_life),
        takeaways=_lines(why.takeaways, md),
    )


# --- Deep -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepView:
    id: str
    anchor: str
    number: int
    title: Markup
    level: str
    prompt: ChoiceView | None
    # False while a prediction is pending: the body below is then left empty on purpose.
    revealed: bool
    concept: Markup
    explanation: Markup
    # None when the explanation already shows the example through an ``example`` fence.
    code: Markup | None
    example_title: str
    result: Markup
    insight: Markup


@dataclass(frozen=True, slots=True)
class MythView:
    id: str
    anchor: str
    number: int
    claim: Markup
    committed: bool
    said_holds: bool | None
    holds: bool
    correct: bool | None
    reality: Markup
    why: Markup


@dataclass(frozen=True, slots=True)
class PitfallView:
    id: str
    anchor: str
    title: Markup
    wrong: Markup
    right: Markup
    root_cause: Markup


@dataclass(frozen=True, slots=True)
class DeepView:
    what: Markup
    why_it_matters: Markup
    where_it_fits: Markup
    core_idea: Markup
    analogy: Markup
    diagram: tuple[Markup, ...]
    steps: tuple[StepView, ...]
    under_the_hood: Markup
    under_the_hood_diagram: tuple[Markup, ...]
    design: Markup
    myths: tuple[MythView, ...]
    expert_zone: tuple[TitledView, ...]
    when_not: tuple[TitledView, ...]
    production: tuple[TitledView, ...]
    connections: tuple[TitledView, ...]
    pitfalls: tuple[PitfallView, ...]
    takeaways: tuple[Markup, ...]

    def step(self, step_id: str) -> StepView:
        return next(step for step in self.steps if step.id == step_id)

    def myth(self, myth_id: str) -> MythView:
        return next(myth for myth in self.myths if myth.id == myth_id)


def step_view(ctx: LessonContext, state: LearnerState, step: BuildStep, number: int) -> StepView:
    md = ctx.md
    prompt: ChoiceView | None = None
    if step.prompt is not None:
        committed = state.commitments.get(("prompt", step.prompt.id))
        prompt = choice_view(step.prompt, committed.choice if committed else None, md)
    revealed = prompt is None or prompt.answered
    hidden = Markup("")
    shown_inline = any(fence.example == step.example for fence in fences(step.explanation))
    return StepView(
        id=step.id,
        anchor=f"step-{step.id}",
        number=number,
        title=md.inline(step.title),
        level=step.level,
        prompt=prompt,
        revealed=revealed,
        concept=md.block(step.concept) if revealed else hidden,
        explanation=md.block(step.explanation) if revealed else hidden,
        code=md.code(step.example) if revealed and not shown_inline else None,
        example_title=ctx.lesson.meta.examples[step.example].title if revealed else "",
        result=md.block(step.result) if revealed else hidden,
        insight=md.inline(step.insight) if revealed else hidden,
    )


def myth_view(ctx: LessonContext, state: LearnerState, myth: Myth, number: int) -> MythView:
    committed = state.commitments.get(("myth", myth.id))
    said_holds = committed.choice == "yes" if committed else None
    shown = committed is not None
    return MythView(
        id=myth.id,
        anchor=f"myth-{myth.id}",
        number=number,
        claim=ctx.md.inline(myth.claim),
        committed=shown,
        said_holds=said_holds,
        holds=myth.holds,
        correct=committed.correct if committed else None,
        reality=ctx.md.block(myth.reality) if shown else Markup(""),
        why=ctx.md.block(myth.why) if shown else Markup(""),
    )


def pitfall_view(ctx: LessonContext, pitfall: Pitfall) -> PitfallView:
    return PitfallView(
        id=pitfall.id,
        anchor=f"pitfall-{pitfall.id}",
        title=ctx.md.inline(pitfall.title),
        wrong=ctx.md.code(pitfall.wrong),
        right=ctx.md.code(pitfall.right),
        root_cause=ctx.md.block(pitfall.root_cause),
    )


def deep_view(ctx: LessonContext, state: LearnerState) -> DeepView:
    deep, md = ctx.lesson.deep, ctx.md
    return DeepView(
        what=md.block(deep.overview.what),
        why_it_matters=md.block(deep.overview.why_it_matters),
        where_it_fits=md.block(deep.overview.where_it_fits),
        core_idea=md.inline(deep.mental_model.core_idea),
        analogy=md.block(deep.mental_model.analogy),
        diagram=_lines(deep.mental_model.diagram, md),
        steps=tuple(step_view(ctx, state, step, n) for n, step in enumerate(deep.steps, start=1)),
        under_the_hood=md.block(deep.under_the_hood),
        under_the_hood_diagram=_lines(deep.under_the_hood_diagram, md),
        design=md.block(deep.design),
        myths=tuple(myth_view(ctx, state, m, n) for n, m in enumerate(deep.myths, start=1)),
        expert_zone=_titled(deep.expert_zone, md),
        when_not=_titled(deep.when_not, md),
        production=_titled(deep.production, md),
        connections=_titled(deep.connections, md),
        pitfalls=tuple(pitfall_view(ctx, p) for p in deep.pitfalls),
        takeaways=_lines(deep.takeaways, md),
    )


def step_of_prompt(lesson: Lesson, prompt_id: str) -> BuildStep:
    """The build step whose prediction prompt has this id (the id was checked before)."""
    return next(s for s in lesson.deep.steps if s.prompt is not None and s.prompt.id == prompt_id)


# --- Visual, Try, Challenge, Project, Perf -----------


@dataclass(frozen=True, slots=True)
class ReferenceRowView:
    number: int
    action: Markup
    evaluation: Markup
    result: Markup


@dataclass(frozen=True, slots=True)
class MomentView:
    question: Markup
    answer: Markup
    steps: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class VisualQuestion:
    """A Visual quiz question; its hint points at rows of the traced table."""

    choice: ChoiceView
    hint_steps: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class VisualView:
    flow: tuple[Markup, ...]
    code: Markup
    example_title: str
    reference: tuple[ReferenceRowView, ...]
    variable_notes: Markup
    moments: tuple[MomentView, ...]
    quiz: tuple[VisualQuestion, ...]
    snapshot: tuple[Markup, ...]
    transcript_intro: Markup

    def question(self, question_id: str) -> VisualQuestion:
        return next(q for q in self.quiz if q.choice.id == question_id)


def visual_view(ctx: LessonContext, state: LearnerState) -> VisualView:
    """The authored half of Visual; the run itself comes from ``loopscope.views.visual``."""
    visual, md, examples = ctx.lesson.visual, ctx.md, ctx.lesson.meta.examples
    latest = state.latest_answers()
    return VisualView(
        flow=_lines(visual.concept_flow, md),
        code=md.code(visual.example),
        example_title=examples[visual.example].title,
        reference=tuple(
            ReferenceRowView(
                n, md.inline(row.action), md.inline(row.evaluation), md.inline(row.result)
            )
            for n, row in enumerate(visual.reference_table, start=1)
        ),
        variable_notes=md.block(visual.variable_notes),
        moments=tuple(
            MomentView(md.inline(m.question), md.block(m.answer), m.steps)
            for m in visual.key_moments
        ),
        quiz=tuple(
            VisualQuestion(
                choice_view(q, latest[q.id].option_id if q.id in latest else None, md),
                q.hint_steps,
            )
            for q in visual.quiz
        ),
        snapshot=_lines(visual.snapshot, md),
        transcript_intro=md.block(visual.transcript_intro),
    )


@dataclass(frozen=True, slots=True)
class CardView:
    id: str
    front: Markup
    back: Markup


@dataclass(frozen=True, slots=True)
class RecallView:
    cards: tuple[CardView, ...]
    questions: tuple[ChoiceView, ...]
    round: int
    answered: int
    correct: int
    total: int

    def question(self, question_id: str) -> ChoiceView:
        return next(q for q in self.questions if q.id == question_id)

    @property
    def finished(self) -> bool:
        return self.answered == self.total


def recall_view(ctx: LessonContext, state: LearnerState) -> RecallView:
    recall, md = ctx.lesson.recall, ctx.md
    current = state.round_answers()
    # The order is fixed for a round: it depends only on the rounds before it.
    history = [a for a in state.answers if a.round < state.quiz_round]
    ordered = review_order(list(recall.quiz), history)
    questions = tuple(
        choice_view(q, current[q.id].option_id if q.id in current else None, md) for q in ordered
    )
    return RecallView(
        cards=tuple(CardView(c.id, md.block(c.front), md.block(c.back)) for c in recall.cards),
        questions=questions,
        round=state.quiz_round,
        answered=sum(q.answered for q in questions),
        correct=sum(bool(q.correct) for q in questions),
        total=len(questions),
    )


ModeView = LearnView | WhyView | DeepView | VisualView | RecallView

# Perf has its own router and views (loopscope/web/routes/perf.py, loopscope/views/perf.py): its
# figures come from runs recorded per request, not from the lesson and learner state alone.
# Try, Challenge and Project have theirs too (web/routes/trying.py and checking.py,
# views/practice.py): they read the learner's drafts, runs and checks.
MODE_VIEWS: Final[dict[ModeName, Callable[[LessonContext, LearnerState], ModeView]]] = {
    "learn": learn_view,
    "why": why_view,
    "deep": deep_view,
    "visual": visual_view,
    "recall": recall_view,
}
