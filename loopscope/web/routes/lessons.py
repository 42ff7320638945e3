"""The nine learning modes: ``/lessons/{slug}`` (Learn) and ``/lessons/{slug}/{mode}``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from lessons.models import ModeName
from loopscope.views import MODE_VIEWS, lesson_header
from loopscope.web.deps import (
    LearnerDep,
    LearnerStateDep,
    LessonDep,
    ModeDep,
    StoreDep,
    TemplatesDep,
    remember_visit,
)

router = APIRouter(include_in_schema=False)


@router.get("/lessons/{slug}", name="lesson")
async def learn(
    request: Request,
    lesson: LessonDep,
    learner: LearnerDep,
    state: LearnerStateDep,
    store: StoreDep,
    templates: TemplatesDep,
) -> Response:
    await remember_visit(store, learner, state, lesson.slug, "learn")
    return _page(request, templates, "learn", lesson, state)


@router.get("/lessons/{slug}/{mode}", name="lesson_mode")
async def mode_page(
    request: Request,
    lesson: LessonDep,
    mode: ModeDep,
    learner: LearnerDep,
    state: LearnerStateDep,
    store: StoreDep,
    templates: TemplatesDep,
) -> Response:
    await remember_visit(store, learner, state, lesson.slug, mode)
    return _page(request, templates, mode, lesson, state)


def _page(
    request: Request,
    templates: TemplatesDep,
    mode: ModeName,
    lesson: LessonDep,
    state: LearnerStateDep,
) -> Response:
    # The header shows the state read before this visit: "continue" points at the last place.
    return templates.page(
        request,
        f"lessons/{mode}.html",
        (lesson.slug, mode, state.cache_key),
        lambda: {
            "page": lesson_header(lesson, mode, state),
            "view": MODE_VIEWS[mode](lesson, state),
        },
    )
