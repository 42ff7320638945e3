"""FastAPI dependencies and their ``Annotated`` aliases: how routes reach the app's typed
``Services`` (``loopscope.services``), the learner the middleware put on the request, a bounded
path or query value, and the run limits (``allow_run``). Two helpers of the page routes that are
not dependencies sit here too: ``load_learner_state`` and ``remember_visit``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request

from lessons.models import ModeName
from loopscope.caller import address_key
from loopscope.runs.practice import Practice
from loopscope.runs.service import TraceService
from loopscope.services import Services, parts_of, services_of
from loopscope.storage import Store
from loopscope.storage.work import LearnerWork
from loopscope.views import LearnerState, LessonContext
from loopscope.views.catalog import CourseContext
from loopscope.web.middleware.learner import Learner
from loopscope.web.middleware.ratelimit import too_many_runs_message
from loopscope.web.modepaths import mode_for_segment
from loopscope.web.templating import Templates

NO_LESSON = "There is no lesson at this address."
NO_MODE = "This lesson has no page at this address."


async def get_services(request: Request) -> Services:
    return services_of(request.app)


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_store(services: ServicesDep) -> Store:
    return services.store


async def get_templates(request: Request) -> Templates:
    return parts_of(request.app).templates  # error pages render before the lifespan too


async def get_traces(services: ServicesDep) -> TraceService:
    return services.traces


async def get_practice(services: ServicesDep) -> Practice:
    return services.practice


async def get_work(services: ServicesDep) -> LearnerWork:
    return services.store  # the Store includes LearnerWork


async def get_learner(request: Request) -> Learner:
    learner: Learner = request.state.learner
    if learner.is_new:  # issued by this request: the store need not look them up later
        services_of(request.app).store.remember_new_learner(learner.id)
    return learner


async def get_lessons(services: ServicesDep) -> tuple[LessonContext, ...]:
    return tuple(services.lessons.values())


async def get_course(services: ServicesDep) -> CourseContext:
    return services.course


async def get_lesson(services: ServicesDep, slug: str) -> LessonContext:
    found = services.lessons.get(slug)
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
    limiter = parts_of(request.app).run_limiter
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
