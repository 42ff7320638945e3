"""Answers: prediction prompts, myth verdicts and quiz questions, and starting a quiz round.

Every form works without JavaScript (POST, then 303 back to the item's anchor) and with htmx
(the answered item's block and the new scores come back as fragments). The first commitment wins;
sending the same form again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Request
from starlette.responses import RedirectResponse, Response

from lessons import find_myth, find_prompt, find_question, grade, grade_myth
from lessons.models import ModeName
from loopscope.storage import Store
from loopscope.views import MODE_VIEWS, DeepView, LessonContext, RecallView, lesson_header
from loopscope.views.modes import ModeView, VisualView, step_of_prompt
from loopscope.web.deps import (
    LearnerDep,
    LessonDep,
    StoreDep,
    TemplatesDep,
    load_learner_state,
)
from loopscope.web.middleware.learner import Learner
from loopscope.web.middleware.security import require_csrf_token
from loopscope.web.modepaths import segment_for
from loopscope.web.templating import VARY, Templates, is_partial

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf_token)])

ItemId = Annotated[str, Path(pattern=r"^[a-z0-9-]+$", max_length=64)]
Choice = Annotated[str, Form(pattern=r"^[a-z0-9-]+$", min_length=1, max_length=64)]
YesNo = Annotated[Literal["yes", "no"], Form()]
Round = Annotated[int, Form(ge=1, le=1_000_000)]
QuizMode = Annotated[Literal["recall", "visual"], Form()]


@router.post("/lessons/{slug}/prompts/{item_id}", name="commit_prompt")
async def commit_prompt(
    request: Request,
    lesson: LessonDep,
    item_id: ItemId,
    choice: Choice,
    learner: LearnerDep,
    store: StoreDep,
    templates: TemplatesDep,
) -> Response:
    prompt = find_prompt(lesson.lesson, item_id)
    graded = grade(prompt, choice)
    await store.commit_choice(
        learner.id, lesson.slug, "prompt", prompt.id, choice, correct=graded.correct
    )
    step = step_of_prompt(lesson.lesson, prompt.id)

    def focus(view: ModeView) -> Mapping[str, Any]:
        assert isinstance(view, DeepView)
        return {"step": view.step(step.id)}

    return await _answered(
        request, templates, store, learner, lesson, "deep", f"step-{step.id}",
        ("step_reveal", "modebar_oob"), focus,
    )  # fmt: skip


@router.post("/lessons/{slug}/myths/{item_id}", name="commit_myth")
async def commit_myth(
    request: Request,
    lesson: LessonDep,
    item_id: ItemId,
    verdict: YesNo,
    learner: LearnerDep,
    store: StoreDep,
    templates: TemplatesDep,
) -> Response:
    myth = find_myth(lesson.lesson, item_id)
    correct = grade_myth(myth, holds=verdict == "yes")
    await store.commit_choice(learner.id, lesson.slug, "myth", myth.id, verdict, correct=correct)

    def focus(view: ModeView) -> Mapping[str, Any]:
        assert isinstance(view, DeepView)
        return {"myth": view.myth(myth.id)}

    return await _answered(
        request, templates, store, learner, lesson, "deep", f"myth-{myth.id}",
        ("myth_reveal", "modebar_oob"), focus,
    )  # fmt: skip


@router.post("/lessons/{slug}/quiz/{item_id}", name="answer_question")
async def answer_question(
    request: Request,
    lesson: LessonDep,
    item_id: ItemId,
    choice: Choice,
    learner: LearnerDep,
    store: StoreDep,
    templates: TemplatesDep,
    mode: QuizMode = "recall",
) -> Response:
    """A quiz answer, Recall's or Visual's (``mode``); both are scored and stored alike."""
    question = find_question(lesson.lesson, mode, item_id)
    graded = grade(question, choice)
    await store.record_answer(learner.id, lesson.slug, question.id, choice, correct=graded.correct)

    def focus(view: ModeView) -> Mapping[str, Any]:
        if isinstance(view, VisualView):
            return {"question": view.question(question.id)}
        assert isinstance(view, RecallView)
        return {"question": view.question(question.id)}

    blocks: tuple[str, ...] = ("question_reveal", "modebar_oob")
    if mode == "recall":
        blocks += ("quiz_status_oob",)
    return await _answered(
        request, templates, store, learner, lesson, mode, f"q-{question.id}", blocks, focus
    )


@router.post("/lessons/{slug}/quiz-rounds", name="start_round")
async def start_round(
    request: Request, lesson: LessonDep, round: Round, learner: LearnerDep, store: StoreDep
) -> Response:
    await store.start_round(learner.id, lesson.slug, seen_round=round)
    await store.record_visit(learner.id, lesson.slug, "recall", "quiz")
    return _see_other(request, lesson, "recall", "quiz")


async def _answered(
    request: Request,
    templates: Templates,
    store: Store,
    learner: Learner,
    lesson: LessonContext,
    mode: ModeName,
    anchor: str,
    blocks: tuple[str, ...],
    focus: Callable[[ModeView], Mapping[str, Any]],
) -> Response:
    """Remember the place; answer htmx with the item's fragments, anything else with a 303."""
    await store.record_visit(learner.id, lesson.slug, mode, anchor)
    if not is_partial(request):
        return _see_other(request, lesson, mode, anchor)
    state = await load_learner_state(store, learner, lesson.slug)
    view = MODE_VIEWS[mode](lesson, state)
    context = {"page": lesson_header(lesson, mode, state), "view": view, **focus(view)}
    return templates.render(request, f"lessons/{mode}.html", context, blocks=blocks)


def _see_other(request: Request, lesson: LessonContext, mode: ModeName, anchor: str) -> Response:
    url = request.url_for("lesson_mode", slug=lesson.slug, mode=segment_for(mode))
    return RedirectResponse(f"{url}#{anchor}", status_code=303, headers={"Vary": VARY})
