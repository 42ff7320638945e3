"""Try mode: the learner's own code, run for real in the sandbox, replayed in Visual's player.

    GET  /lessons/{slug}/try                      the editor (the draft, or ?example=NAME)
    POST /lessons/{slug}/try                      fields code, call: keep the draft, run -> 303
    POST /lessons/{slug}/try/draft                fields code, call: keep the draft -> 204
    GET  /lessons/{slug}/try/runs/{run_id}?step=N one run of learner code (htmx: the player)

Every run is a permalink, and Run lands on it at ``#run``, the result in focus. A call that
fails before the first step of the file (``fetch_data()`` without its argument) has nothing to
replay: its page shows the exception in the learner's words and keeps the code. Bad input (too
large, a syntax error, a call the file cannot answer) is a 422 page that keeps the code in the
editor and marks the line; over the run allowance, a 429 page keeps it and says when to run
again; where the sandbox cannot start, the editor and Run are off and the page says why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from loopscope.runs.practice import CodeSyntaxError, LearnerRun, PracticeError
from loopscope.runs.service import RUN_ID_PATTERN, SandboxOff, TraceFailed
from loopscope.views import LearnerState, LessonContext, lesson_header
from loopscope.views.practice import EditorView, stopped_early, try_view
from loopscope.views.visual import clamp_step, player_view, transcript
from loopscope.web.deps import (
    LearnerDep,
    LearnerStateDep,
    LessonDep,
    PracticeDep,
    StepNumber,
    StoreDep,
    TemplatesDep,
    WorkDep,
    allow_run,
    load_learner_state,
    remember_visit,
)
from loopscope.web.middleware.security import require_csrf_token
from loopscope.web.templating import VARY, Templates, is_partial
from visualizer.appdriver import shown_call

router = APIRouter(include_in_schema=False)

NO_RUN = "There is no run of your code at this address. Run it again from the Try page."
PLACE = "try"
RESULT_ANCHOR = "run"  # the id of the run's section in try.html: Run lands there
YOUR_CODE = "your code"
RunId = Annotated[str, Path(pattern=RUN_ID_PATTERN)]
ExampleName = Annotated[str | None, Query(pattern=r"^[a-z0-9_]{1,64}$")]
# Generous bounds for the form parser; the real caps and their messages: loopscope.runs.practice.
CodeField = Annotated[str, Form(max_length=200_000)]
CallField = Annotated[str, Form(max_length=10_000)]


@router.get("/lessons/{slug}/try", name="try_page")
async def try_page(
    request: Request,
    lesson: LessonDep,
    learner: LearnerDep,
    state: LearnerStateDep,
    store: StoreDep,
    work: WorkDep,
    practice: PracticeDep,
    templates: TemplatesDep,
    example: ExampleName = None,
) -> Response:
    await remember_visit(store, learner, state, lesson.slug, "try", work_page=True)
    examples = lesson.lesson.meta.examples
    if example is not None and example not in examples:
        raise HTTPException(status_code=404, detail="This lesson has no example of that name.")
    if example is not None:
        code, call = lesson.lesson.sources[example], examples[example].call
    else:
        draft = None if learner.is_new else await work.draft(learner.id, lesson.slug, PLACE)
        name = lesson.lesson.try_.example
        code, call = (
            (draft.code, draft.call)
            if draft
            else (lesson.lesson.sources[name], examples[name].call)
        )
    off = practice.sandbox.reason or None
    if example is not None:  # an address with a query: rendered as it is asked for
        editor = _editor(request, lesson, code, call, off)
        return _render(request, templates, lesson, state, editor, example, None, None)
    # The editor as it opens is the same for every learner with the same state and draft.
    return templates.page(
        request,
        "lessons/try.html",
        (lesson.slug, "try", state.cache_key, code, call, off),
        lambda: _context(
            request, templates, lesson, state, _editor(request, lesson, code, call, off), None
        ),
    )


@router.post("/lessons/{slug}/try", name="try_run", dependencies=[Depends(require_csrf_token)])
async def try_run(
    request: Request,
    lesson: LessonDep,
    learner: LearnerDep,
    state: LearnerStateDep,
    work: WorkDep,
    practice: PracticeDep,
    templates: TemplatesDep,
    code: CodeField,
    call: CallField,
) -> Response:
    code = code.replace("\r\n", "\n")
    await work.save_draft(learner.id, lesson.slug, PLACE, code, call)  # nothing typed is lost
    off = practice.sandbox.reason or None
    # The run allowance (429 "wait N s") is taken after the draft is kept, not as a dependency:
    # over it, the editor comes back with the code and says when to run again.
    waiting = await run_allowance(request, learner)
    if waiting is not None:
        editor = _editor(request, lesson, code, call, off, error=waiting.detail)
        response = _render(request, templates, lesson, state, editor, None, None, None, status=429)
        response.headers.update(waiting.headers or {})
        return response
    try:
        run = await practice.run(lesson.slug, PLACE, code, call)
    except PracticeError as exc:
        on_call = isinstance(exc, CodeSyntaxError) and exc.where == "the call"
        line = exc.line if isinstance(exc, CodeSyntaxError) and not on_call else None
        editor = _editor(
            request, lesson, code, call, off, error=str(exc), line=line, on_call=on_call
        )
        return _render(request, templates, lesson, state, editor, None, None, None, status=422)
    except SandboxOff as exc:
        editor = _editor(request, lesson, code, call, str(exc) or off)
        return _render(request, templates, lesson, state, editor, None, None, None, status=503)
    except TraceFailed as exc:  # the file ran into something the engine refuses: a bad call
        editor = _editor(request, lesson, code, call, off, error=str(exc), on_call=True)
        return _render(request, templates, lesson, state, editor, None, None, None, status=422)
    url = str(request.url_for("try_run_page", slug=lesson.slug, run_id=run.id))
    return RedirectResponse(f"{url}#{RESULT_ANCHOR}", status_code=303, headers={"Vary": VARY})


@router.post(
    "/lessons/{slug}/try/draft", name="try_draft", dependencies=[Depends(require_csrf_token)]
)
async def try_draft(
    lesson: LessonDep, learner: LearnerDep, work: WorkDep, code: CodeField, call: CallField
) -> Response:
    """The editor saves the draft as the learner types (without JavaScript, Run saves it)."""
    await work.save_draft(learner.id, lesson.slug, PLACE, code.replace("\r\n", "\n"), call)
    return Response(status_code=204)


async def run_allowance(request: Request, learner: LearnerDep) -> HTTPException | None:
    """``allow_run``'s refusal (429 with its wait and Retry-After), to show beside the code."""
    try:
        await allow_run(request, learner)
    except HTTPException as exc:
        if exc.status_code != 429:
            raise
        return exc
    return None


@router.get("/lessons/{slug}/try/runs/{run_id}", name="try_run_page")
async def try_run_page(
    request: Request,
    lesson: LessonDep,
    run_id: RunId,
    learner: LearnerDep,
    store: StoreDep,
    practice: PracticeDep,
    templates: TemplatesDep,
    step: StepNumber = None,
) -> Response:
    found = await practice.learner_run(run_id, lesson.slug)
    if found is None:
        raise HTTPException(status_code=404, detail=NO_RUN)
    landed = step is None  # Run's redirect, or the permalink: the result takes the focus
    step = clamp_step(found.run.trace, step)  # of this run, before anything is rendered or kept
    steps_url = str(request.url_for("try_run_page", slug=lesson.slug, run_id=run_id))
    stopped = stopped_early(found.run.trace)
    if is_partial(request) and stopped is None:
        return await player_fragment(templates, found, steps_url, step)
    state = await load_learner_state(store, learner, lesson.slug)
    editor = _editor(request, lesson, found.source, found.run.call, practice.sandbox.reason or None)
    replay = (
        await templates.off_loop(lambda: player_markup(templates, found, steps_url, step))
        if stopped is None
        else None
    )
    return _render(request, templates, lesson, state, editor, None, found, replay, landed=landed)


def player_context(found: LearnerRun, steps_url: str, step: int | None) -> dict[str, Any]:
    """What Visual's ``player`` block needs to replay a learner's run."""
    run = replace(found.run, call=shown_call(found.run.call))  # a check's driver stays unnamed
    player = player_view(run, step=step, source=found.source, title=YOUR_CODE)
    return {"player": player, "steps_url": steps_url}


@dataclass(frozen=True, slots=True)
class Replay:
    """A learner's run as its page shows it: the player's HTML and the steps told in words."""

    player: Markup
    transcript: tuple[Markup, ...]


def player_markup(
    templates: Templates, found: LearnerRun, steps_url: str, step: int | None
) -> Replay:
    """The player and its transcript for a run's page (slow for a big run: call it off the
    event loop, with ``templates.off_loop``)."""
    context = player_context(found, steps_url, step)
    player = templates.block_markup("lessons/visual.html", "player", context)
    return Replay(player, transcript(found.run.trace, context["player"].rows))


async def player_fragment(
    templates: Templates, found: LearnerRun, steps_url: str, step: int | None
) -> Response:
    """Stepping: the player's stage alone (what htmx swaps in), rendered once per run and step."""
    return await templates.shared_fragment(
        (steps_url, step),
        "lessons/visual.html",
        "stage",
        lambda: player_context(found, steps_url, step),
    )


def _editor(
    request: Request,
    lesson: LessonContext,
    code: str,
    call: str,
    off: str | None,
    *,
    error: str | None = None,
    line: int | None = None,
    on_call: bool = False,
) -> EditorView:
    return EditorView(
        action=str(request.url_for("try_run", slug=lesson.slug)),
        code=code,
        call=call,
        call_editable=True,
        submit_label="Run it for real",
        off_reason=off,
        error=error,
        error_line=line,
        draft_url=str(request.url_for("try_draft", slug=lesson.slug)),
        error_on_call=on_call,
    )


def _render(
    request: Request,
    templates: TemplatesDep,
    lesson: LessonContext,
    state: LearnerState,
    editor: EditorView,
    example: str | None,
    found: LearnerRun | None,
    replay: Replay | None,
    *,
    status: int = 200,
    landed: bool = False,
) -> Response:
    context = _context(request, templates, lesson, state, editor, example, found, replay)
    context["landed"] = landed
    return templates.render(request, "lessons/try.html", context, status_code=status)


def _context(
    request: Request,
    templates: TemplatesDep,
    lesson: LessonContext,
    state: LearnerState,
    editor: EditorView,
    example: str | None,
    found: LearnerRun | None = None,
    replay: Replay | None = None,
) -> dict[str, Any]:
    def example_url(name: str) -> str:
        return f"{request.url_for('try_page', slug=lesson.slug)}?example={name}"

    stopped = stopped_early(found.run.trace) if found is not None else None
    player = replay.player if replay is not None else None
    told = replay.transcript if replay is not None else ()
    if found is not None and stopped is not None:
        told = transcript(found.run.trace)
    return {
        "stopped": stopped,
        "landed": False,
        "page": lesson_header(lesson, "try", state),
        "view": try_view(lesson, editor, example, example_url),
        "player": player,
        "transcript": told,
        "run": found.run if found is not None else None,
    }
