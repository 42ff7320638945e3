"""Perf mode: slow versus fast code, measured by real runs.

GET  /lessons/{slug}/perf                    the page; comparisons load their runs with htmx
                                             (``?wait=true``: the page waits and shows them, the
                                             way it works without JavaScript)
GET  /lessons/{slug}/perf/{comparison}       one comparison measured (``?n=`` calls;
                                             ``?slow=&fast=`` run ids: show those runs); htmx
                                             gets the fragment
POST /lessons/{slug}/perf/{comparison}       "measure again": fresh runs of both sides

A full engine queue is a 503 page (or fragment) that says to try again, never a 500.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from starlette.datastructures import URL
from starlette.responses import RedirectResponse, Response

from lessons.models import PerfComparison
from loopscope.records import RecordedRun
from loopscope.runs.perf import measure_sides
from loopscope.runs.service import TraceBusy, TraceFailed, TraceTimedOut
from loopscope.views import LearnerState, LessonContext, lesson_header
from loopscope.views.perf import (
    N_MAX,
    N_MIN,
    ComparisonView,
    comparison_view,
    find_comparison,
    measurement,
    perf_view,
    side_calls,
)
from loopscope.web.deps import (
    LearnerDep,
    LearnerStateDep,
    LessonDep,
    RunAllowance,
    StoreDep,
    TemplatesDep,
    TracesDep,
    remember_visit,
)
from loopscope.web.middleware.security import require_csrf_token
from loopscope.web.templating import is_partial

router = APIRouter(include_in_schema=False)

TEMPLATE: Final = "lessons/perf.html"
NO_COMPARISON = "This lesson has no such comparison."
BUSY = (
    "Every trace worker is busy and the queue is full, so nothing was measured."
    " Try again in a few seconds."
)
STILL_RECORDING = "The runs are taking longer than expected. Try again in a few seconds."
RETRY_AFTER = {"Retry-After": "5"}

CountQuery = Annotated[int | None, Query(ge=N_MIN, le=N_MAX, description="number of calls")]
RunIdQuery = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


async def get_comparison(lesson: LessonDep, comparison_id: str) -> PerfComparison:
    found = find_comparison(lesson.lesson, comparison_id)
    if found is None:
        raise HTTPException(status_code=404, detail=NO_COMPARISON)
    return found


ComparisonDep = Annotated[PerfComparison, Depends(get_comparison)]


async def _measured(
    traces: TracesDep,
    lesson: LessonContext,
    comparison: PerfComparison,
    n: int | None,
    *,
    fresh: bool = False,
    runs: tuple[RecordedRun, RecordedRun] | None = None,
) -> tuple[ComparisonView, int]:
    """The comparison with its figures, or with the reason it has none, and the status code."""
    since = datetime.now(UTC)
    try:
        calls = side_calls(lesson.lesson, comparison, n)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    try:
        if runs is None:
            runs = await measure_sides(
                traces, lesson.lesson, comparison, (calls.slow, calls.fast), fresh=fresh
            )
    except TraceBusy:
        return comparison_view(lesson, comparison, n=n, problem=BUSY, retry=True), 503
    except TraceTimedOut:
        return comparison_view(lesson, comparison, n=n, problem=STILL_RECORDING, retry=True), 503
    except TraceFailed as exc:
        problem = f"The runs could not be recorded: {exc}"
        return comparison_view(lesson, comparison, n=n, problem=problem, retry=True), 503
    found = measurement(comparison, *runs, since=since, n=n)
    return comparison_view(lesson, comparison, n=n, measured=found), 200


def _page(
    request: Request,
    templates: TemplatesDep,
    lesson: LessonContext,
    state: LearnerState,
    shown: dict[str, ComparisonView],
    *,
    status_code: int = 200,
    block: str | None = None,
) -> Response:
    def context() -> dict[str, Any]:
        view = perf_view(lesson, shown)
        return {
            "page": lesson_header(lesson, "perf", state),
            "view": view,
            "comparison": view.comparison(block) if block else None,
            "waited": bool(shown),
        }

    if not shown and block is None and status_code == 200:
        # The page as it opens (comparisons load later): the same for every learner in the
        # same state, so rendered once per state.
        return templates.page(request, TEMPLATE, (lesson.slug, "perf", state.cache_key), context)
    response = templates.render(
        request,
        TEMPLATE,
        context(),
        blocks=("comparison",) if block else (),
        status_code=status_code,
    )
    if status_code == 503:
        response.headers.update(RETRY_AFTER)
    return response


@router.get("/lessons/{slug}/perf", name="perf")
async def perf_page(
    request: Request,
    lesson: LessonDep,
    learner: LearnerDep,
    state: LearnerStateDep,
    store: StoreDep,
    templates: TemplatesDep,
    traces: TracesDep,
    wait: bool = False,
) -> Response:
    await remember_visit(store, learner, state, lesson.slug, "perf")
    shown: dict[str, ComparisonView] = {}
    status = 200
    if wait:  # without JavaScript: measure every comparison before answering
        for comparison in lesson.lesson.perf.comparisons:
            view, code = await _measured(traces, lesson, comparison, None)
            shown[comparison.id] = view
            status = max(status, code)
    return _page(request, templates, lesson, state, shown, status_code=status)


@router.get("/lessons/{slug}/perf/{comparison_id}", name="perf_comparison")
async def perf_comparison(
    request: Request,
    lesson: LessonDep,
    comparison: ComparisonDep,
    state: LearnerStateDep,
    templates: TemplatesDep,
    traces: TracesDep,
    n: CountQuery = None,
    slow: RunIdQuery = None,
    fast: RunIdQuery = None,
) -> Response:
    runs = None
    if slow is not None and fast is not None:  # after "measure again" without JavaScript
        slow_run, fast_run = await traces.get(slow), await traces.get(fast)
        if slow_run is not None and fast_run is not None:
            runs = (slow_run, fast_run)
    view, status = await _measured(traces, lesson, comparison, n, runs=runs)
    return _page(
        request, templates, lesson, state, {comparison.id: view},
        status_code=status, block=comparison.id,
    )  # fmt: skip


@router.post(
    "/lessons/{slug}/perf/{comparison_id}",
    name="perf_measure",
    dependencies=[Depends(require_csrf_token)],
)
async def perf_measure(
    request: Request,
    lesson: LessonDep,
    comparison: ComparisonDep,
    state: LearnerStateDep,
    templates: TemplatesDep,
    traces: TracesDep,
    _: RunAllowance,
    n: Annotated[int | None, Form(ge=N_MIN, le=N_MAX)] = None,
) -> Response:
    view, status = await _measured(traces, lesson, comparison, n, fresh=True)
    if is_partial(request) or view.measured is None:
        return _page(
            request, templates, lesson, state, {comparison.id: view},
            status_code=status, block=comparison.id,
        )  # fmt: skip
    # Without JavaScript: show exactly these runs at an address that can be reloaded.
    query: dict[str, str | int] = {
        "slow": view.measured.slow.run_id,
        "fast": view.measured.fast.run_id,
    }
    if n is not None:
        query["n"] = n
    target = URL(
        str(request.url_for("perf_comparison", slug=lesson.slug, comparison_id=comparison.id))
    )
    return RedirectResponse(
        str(target.include_query_params(**query).replace(fragment=f"perf-{comparison.id}")),
        status_code=303,
    )
