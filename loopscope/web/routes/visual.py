"""Visual mode: replaying real recorded runs, step by step.

    GET  /lessons/{slug}/visualize                      the lesson's example, recorded once
    GET  /lessons/{slug}/visualize/runs/{run_id}?step=N one run at step N (htmx: the player's
                                                        stage, see templates/lessons/_player.html)
    POST /lessons/{slug}/visualize/runs                 record a run from a knob form -> 303
                                                        (fields: run_form, the knobs, fresh)
    GET  /lessons/{slug}/visualize/progress/{key}       a run being recorded (htmx polls it)
    GET  /lessons/{slug}/visualize/runs/{run_id}/trace.json     the run's raw trace (a download)
    GET  /lessons/{slug}/visualize/runs/{run_id}/perfetto.json  its Chrome/Perfetto export

A page that needs a run that is not recorded yet shows "recording a real run…" at once when htmx
asked for it (it polls the progress address until the run is there); a request without htmx
simply waits for the run, bounded by the service's wait. A full queue is a 503 page.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Request
from starlette.responses import RedirectResponse, Response

from loopscope.knobs import resolve_knobs, single_values
from loopscope.records import RecordedRun, RunProgress
from loopscope.runs.service import RUN_ID_PATTERN, RUN_KEY_PATTERN
from loopscope.views import LearnerState, LessonContext, lesson_header
from loopscope.views.modes import visual_view
from loopscope.views.visual import (
    PendingView,
    PlayerView,
    RunDownloads,
    clamp_step,
    knob_forms,
    pending_view,
    player_view,
    transcript,
)
from loopscope.web.deps import (
    LearnerDep,
    LearnerStateDep,
    LessonDep,
    RunAllowance,
    StepNumber,
    StoreDep,
    TemplatesDep,
    TracesDep,
    load_learner_state,
    remember_visit,
)
from loopscope.web.middleware.security import require_csrf_token
from loopscope.web.templating import VARY, is_partial
from visualizer.tools.perfetto import perfetto_json

router = APIRouter(include_in_schema=False)

NO_RUN = "There is no recorded run at this address. Record a new one from the Visual page."
RunId = Annotated[str, Path(pattern=RUN_ID_PATTERN)]
RunKey = Annotated[str, Path(pattern=RUN_KEY_PATTERN)]
FormNumber = Annotated[int, Form(ge=0, le=99)]
Fresh = Annotated[bool, Form()]


async def knob_fields(request: Request) -> dict[str, str]:
    """The submitted form's text fields (the knob values are checked by ``resolve_knobs``).

    A field sent twice is refused: a what-if is one choice, never two at once.
    """
    form = await request.form()
    return single_values(
        (name, value) for name, value in form.multi_items() if isinstance(value, str)
    )


KnobFields = Annotated[dict[str, str], Depends(knob_fields)]


def _wants_placeholder(request: Request) -> bool:
    # Any htmx request (a boosted link too) can show the placeholder and poll; without
    # JavaScript the request waits for the run instead.
    return request.headers.get("hx-request") == "true"


@router.get("/lessons/{slug}/visualize", name="visual_page")
async def visual_page(
    request: Request,
    lesson: LessonDep,
    learner: LearnerDep,
    state: LearnerStateDep,
    store: StoreDep,
    traces: TracesDep,
    templates: TemplatesDep,
    step: StepNumber = None,
) -> Response:
    await remember_visit(store, learner, state, lesson.slug, "visual")
    run = await traces.known(lesson.lesson, lesson.lesson.visual.example)
    if run is None:
        key = await traces.submit(lesson.lesson, lesson.lesson.visual.example)
        progress = traces.progress(key)
        if _wants_placeholder(request) and (progress is None or progress.state != "done"):
            context = _context(request, lesson, state, None, None, (key, progress))
            return templates.render(request, "lessons/visual.html", context)
        run = await traces.wait(key)
    recorded = run
    # The same for every learner in the same state, so rendered once per run and state.
    return templates.page(
        request,
        "lessons/visual.html",
        (lesson.slug, "visual", recorded.id, state.cache_key),
        lambda: _context(request, lesson, state, recorded, step, None),
        blocks=("stage",),
    )


@router.get("/lessons/{slug}/visualize/runs/{run_id}", name="visual_run")
async def visual_run(
    request: Request,
    lesson: LessonDep,
    run_id: RunId,
    learner: LearnerDep,
    store: StoreDep,
    traces: TracesDep,
    templates: TemplatesDep,
    step: StepNumber = None,
) -> Response:
    run = await _run(traces, lesson, run_id)
    step = clamp_step(run.trace, step)  # a step of this run, before anything is rendered or kept
    if is_partial(request):
        # Stepping: the player's stage alone, the same for every learner, so rendered once per
        # step of a run; the key is bounded by the run's length, the cache by bytes.
        return await templates.shared_fragment(
            (run.id, step),
            "lessons/visual.html",
            "stage",
            lambda: {
                "player": _player(lesson, run, step),
                "steps_url": request.url_for("visual_run", slug=lesson.slug, run_id=run.id).path,
            },
        )
    state = await load_learner_state(store, learner, lesson.slug)
    context = await templates.off_loop(lambda: _context(request, lesson, state, run, step, None))
    return templates.render(request, "lessons/visual.html", context)


@router.post(
    "/lessons/{slug}/visualize/runs",
    name="visual_record",
    dependencies=[Depends(require_csrf_token)],
)
async def visual_record(
    request: Request,
    lesson: LessonDep,
    run_form: FormNumber,
    fields: KnobFields,
    state: LearnerStateDep,
    traces: TracesDep,
    templates: TemplatesDep,
    _: RunAllowance,
    fresh: Fresh = False,
) -> Response:
    choice = resolve_knobs(lesson.lesson, run_form, fields)
    key = await traces.submit(
        lesson.lesson, choice.example, call=choice.call, knobs=dict(choice.knobs), fresh=fresh
    )
    return await _answer(request, lesson, state, traces, templates, key)


@router.get("/lessons/{slug}/visualize/progress/{key}", name="visual_progress")
async def visual_progress(
    request: Request,
    lesson: LessonDep,
    key: RunKey,
    state: LearnerStateDep,
    traces: TracesDep,
    templates: TemplatesDep,
) -> Response:
    if traces.progress(key) is None:
        raise HTTPException(status_code=404, detail=NO_RUN)
    return await _answer(request, lesson, state, traces, templates, key)


async def _answer(
    request: Request,
    lesson: LessonContext,
    state: LearnerState,
    traces: TracesDep,
    templates: TemplatesDep,
    key: str,
) -> Response:
    """htmx: the run region (still recording, or the run with its URL pushed); else a 303."""
    progress = traces.progress(key)
    recording = progress is None or progress.state in ("queued", "running")
    if is_partial(request) and recording:
        context = _context(request, lesson, state, None, None, (key, progress))
        return templates.render(request, "lessons/visual.html", context, blocks=("run",))
    run = await traces.wait(key)
    url = str(request.url_for("visual_run", slug=lesson.slug, run_id=run.id))
    if not is_partial(request):
        # Without JavaScript the new run's page opens at its player, not at the top.
        return RedirectResponse(f"{url}#player", status_code=303, headers={"Vary": VARY})
    context = _context(request, lesson, state, run, None, None)
    response = templates.render(request, "lessons/visual.html", context, blocks=("run",))
    response.headers["HX-Push-Url"] = url
    return response


@router.get("/lessons/{slug}/visualize/runs/{run_id}/trace.json", name="run_trace_json")
async def run_trace_json(lesson: LessonDep, run_id: RunId, traces: TracesDep) -> Response:
    """The run's trace JSON, as the worker wrote it (the ``loopscope trace --json`` contract)."""
    run = await _run(traces, lesson, run_id)
    return _download(run.trace.contract_json(), f"loopscope-{lesson.slug}-{run.id}.json")


@router.get("/lessons/{slug}/visualize/runs/{run_id}/perfetto.json", name="run_perfetto_json")
async def run_perfetto_json(lesson: LessonDep, run_id: RunId, traces: TracesDep) -> Response:
    """The run in the Chrome Trace Event format, as ``loopscope trace --perfetto`` writes it."""
    run = await _run(traces, lesson, run_id)
    body = await asyncio.to_thread(perfetto_json, run.trace)
    return _download(body, f"loopscope-{lesson.slug}-{run.id}.perfetto.json")


def _download(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _run(traces: TracesDep, lesson: LessonContext, run_id: str) -> RecordedRun:
    run = await traces.get(run_id)
    # A learner's own run (Try, Challenge) is replayed at its own address, not here.
    if run is None or run.lesson != lesson.slug or run.example not in lesson.lesson.meta.examples:
        raise HTTPException(status_code=404, detail=NO_RUN)
    return run


def _context(
    request: Request,
    lesson: LessonContext,
    state: LearnerState,
    run: RecordedRun | None,
    step: int | None,
    pending: tuple[str, RunProgress | None] | None,
) -> dict[str, Any]:
    ctx = lesson.lesson
    player = None
    downloads = None
    if run is not None:
        player = _player(lesson, run, step)
        steps_url = str(request.url_for("visual_run", slug=lesson.slug, run_id=run.id))
        downloads = _downloads(request, lesson, run)
    else:
        steps_url = str(request.url_for("visual_page", slug=lesson.slug))
    return {
        "page": lesson_header(lesson, "visual", state),
        "view": visual_view(lesson, state),
        "player": player,
        "steps_url": steps_url,
        "downloads": downloads,
        "transcript": transcript(run.trace) if run is not None else (),
        "forms": knob_forms(ctx, lesson.md, run.knobs if run is not None else ()),
        "pending": _pending(request, lesson, pending),
    }


def _downloads(request: Request, lesson: LessonContext, run: RecordedRun) -> RunDownloads:
    return RunDownloads(
        trace=str(request.url_for("run_trace_json", slug=lesson.slug, run_id=run.id)),
        perfetto=str(request.url_for("run_perfetto_json", slug=lesson.slug, run_id=run.id)),
    )


def _player(lesson: LessonContext, run: RecordedRun, step: int | None) -> PlayerView:
    ctx = lesson.lesson
    title = ctx.meta.examples[run.example].title
    return player_view(run, step=step, source=ctx.sources[run.example], title=title)


def _pending(
    request: Request, lesson: LessonContext, pending: tuple[str, RunProgress | None] | None
) -> PendingView | None:
    if pending is None:
        return None
    key, progress = pending
    return pending_view(
        progress, str(request.url_for("visual_progress", slug=lesson.slug, key=key))
    )
