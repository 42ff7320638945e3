"""The course: the catalog at ``/`` (which also says where to continue) and at ``/lessons``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from loopscope.storage import Store
from loopscope.views import LessonContext
from loopscope.views.catalog import LearnerLesson, course_page
from loopscope.web.deps import CourseDep, LearnerDep, LessonsDep, StoreDep, TemplatesDep
from loopscope.web.middleware.learner import Learner

router = APIRouter(include_in_schema=False)


@router.get("/", name="catalog")
async def catalog(
    request: Request,
    course: CourseDep,
    lessons: LessonsDep,
    learner: LearnerDep,
    store: StoreDep,
    templates: TemplatesDep,
) -> Response:
    """The course, headed by a link to where the learner stopped (or to the first lesson)."""
    stored = await _learner_lessons(store, learner, lessons)
    context = course_page(course, lessons, stored, home=True)
    return templates.render(request, "catalog.html", context)


@router.get("/lessons", name="course")
async def course(
    request: Request,
    course: CourseDep,
    lessons: LessonsDep,
    learner: LearnerDep,
    store: StoreDep,
    templates: TemplatesDep,
) -> Response:
    """The course in order, each lesson with what it teaches and the learner's progress."""
    stored = await _learner_lessons(store, learner, lessons)
    context = course_page(course, lessons, stored, home=False)
    return templates.render(request, "catalog.html", context)


async def _learner_lessons(
    store: Store, learner: Learner, lessons: tuple[LessonContext, ...]
) -> dict[str, LearnerLesson]:
    """What is stored about the learner in each written lesson (nothing for a new visitor);
    the store keeps these reads in memory until the learner writes."""
    if learner.is_new:
        return {}
    found: dict[str, LearnerLesson] = {}
    for ctx in lessons:
        state = await store.lesson_state(learner.id, ctx.slug)
        passed = await store.passed(learner.id, ctx.slug)
        predictions = frozenset(item for kind, item in state.commitments if kind == "prompt")
        if state.progress is not None or predictions or passed:
            found[ctx.slug] = LearnerLesson(state.progress, predictions, passed)
    return found
