"""FastAPI dependencies of the lesson pages and their ``Annotated`` aliases.

Each reads one service that ``create_app`` put on ``app.state`` (store, templates, traces,
learner work, lessons, course, run limiter), the learner the middleware put on the request, or
a bounded path or query value; ``allow_run`` counts a run against the rate limits. Two helpers
that are not dependencies sit here too, shared by the page routes: ``load_learner_state`` and
``remember_visit``. Not every route goes through this module: the room routes
(``routes/room_common.py``) and ``routes/health.py`` read ``app.state`` themselves, as do the
error, template and CSRF helpers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request

from lessons.models import ModeName
from loopscope.caller import address_key
from loopscope.learner import Learner
from loopscope.modepaths import mode_for_segment
from loopscope.practice import Practice
from loopscope.ratelimit import RunLimiter, too_many_runs_message
from loopscope.storage import Store
from loopscope.storage.work import LearnerWork
from loopscope.templating import Templates
from loopscope.tracing import TraceService
from loopscope.views import LearnerState, LessonContext
from loopscope.views.catalog import CourseContext

NO_LESSON = "There is no lesson at this address."
NO_MODE = "This lesson has no page at this address."


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_templates(request: Request) -> Templates:
    templates: Templates = request.app.state.templates
    return templates


async def get_traces(request: Request) -> TraceService:
    traces: TraceService = request.app.state.traces
    return traces


async def get_practice(request: Request) -> Practice:
    # Built per request: tests swap ``app.state.traces`` for a fake engine after start-up.
    return Practice(request.app.state.traces, request.app.state.work)


async def get_work(request: Request) -> LearnerWork:
    work: LearnerWork = request.app.state.work
    return work


async def get_learner(request: Request) -> Learner:
    learner: Learner = request.state.learner
    if learner.is_new:  # issued by this request: the store need not look them up later
        store: Store = request.app.state.store
        store.remember_new_learner(learner.id)
    return learner


async def get_lessons(request: Request) -> tuple[LessonContext, ...]:
    lessons: dict[str, LessonContext] = request.app.state.lessons
    return tuple(lessons.values())


async def get_course(request: Request) -> CourseContext:
    course: CourseContext = request.app.state.course
    return course


async def get_lesson(request: Request, slug: str) -> LessonContext:
    lessons: dict[str, LessonContext] = request.app.state.lessons
    found = lessons.get(slug)
    if found is None:
        raise HTTPException(status_code=404, detail=NO_LESSON)
    return found


async def get_mode(mode: str) -> ModeName:
    found = mode_for_segment(mode)  # Learn lives at the lesson's own address
    if found is None:
        raise HTTPException(status_code=404, detail=NO_MODE)
    return found


StoreDep = Annotated[Store, Depends(get_store)]
TemplatesDep = Annotated[Templates, Depends(get_templates)]
TracesDep = Annotated[TraceService, Depends(get_traces)]
PracticeDep = Annotated[Practice, Depends(get_practice)]
WorkDep = Annotated[LearnerWork, Depends(get_work)]
LearnerDep = Annotated[Learner, Depends(get_learner)]
LessonsDep = Annotated[tuple[LessonContext, ...], Depends(get_lessons)]
LessonDep = Annotated[LessonContext, Depends(get_lesson)]
CourseDep = Annotated[CourseContext, Depends(get_course)]
ModeDep = Annotated[ModeName, Depends(get_mode)]


async def load_learner_state(store: Store, learner: Learner, slug: str) -> LearnerState:
    if learner.is_new:  # nothing can be stored yet for a learner issued by this request
        return LearnerState(commitments={}, answers=(), progress=None)
    found = await store.lesson_state(learner.id, slug)
    return LearnerState(
        commitments=found.commitments, answers=found.answers, progress=found.progress
    )


async def remember_visit(
    store: Store,
    learner: Learner,
    state: LearnerState,
    slug: str,
    mode: ModeName,
    *,
    work_page: bool = False,
) -> None:
    """Record a page view, but only as real progress: a visitor issued by this request, or one
    whose place would not change, writes nothing (a room opening a page writes no rows).

    A learner with nothing stored in this lesson is not kept either, except on the pages where
    work is code (``work_page``: Try, Challenge, Project), whose drafts and passes are not in
    ``state``: there the store keeps the visit if it knows the learner at all."""
    if learner.is_new or (state.is_empty and not work_page):
        return
    place = state.progress
    if place is not None and place.last_mode == mode and mode in place.visited:
        return
    await store.record_visit(learner.id, slug, mode)


async def get_learner_state(
    lesson: LessonDep, learner: LearnerDep, store: StoreDep
) -> LearnerState:
    return await load_learner_state(store, learner, lesson.slug)


LearnerStateDep = Annotated[LearnerState, Depends(get_learner_state)]


async def allow_run(request: Request, learner: LearnerDep) -> None:
    """Count a run against the learner's and the client address's limits; over either, 429 with
    Retry-After (the error page, or its fragment for htmx)."""
    limiter: RunLimiter = request.app.state.run_limiter
    client = request.client
    decision = await limiter.take(
        learner="" if learner.is_new else learner.id,
        address=address_key(client.host if client is not None else None),
    )
    if not decision.allowed:
        raise HTTPException(
            status_code=429,
            detail=too_many_runs_message(decision.retry_after_s),
            headers={"Retry-After": str(decision.retry_after_s)},
        )


# Routes that start a run take a parameter ``_: RunAllowance``.
RunAllowance = Annotated[None, Depends(allow_run)]

# ``?step=N`` of a recorded run: bounded here, then clamped to the run's length before anything
# is rendered or cached (``loopscope.views.visual.clamp_step``).
StepNumber = Annotated[int | None, Query(ge=1, le=100_000)]
