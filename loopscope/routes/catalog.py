"""The catalog of lessons at ``/``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from loopscope.deps import LearnerDep, LessonsDep, StoreDep, TemplatesDep
from loopscope.views.catalog import lesson_cards

router = APIRouter(include_in_schema=False)


@router.get("/", name="catalog")
async def catalog(
    request: Request,
    lessons: LessonsDep,
    learner: LearnerDep,
    store: StoreDep,
    templates: TemplatesDep,
) -> Response:
    progress = {} if learner.is_new else await store.progress(learner.id)
    return templates.render(request, "catalog.html", {"cards": lesson_cards(lessons, progress)})
