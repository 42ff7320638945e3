"""Challenge and Project: the learner's code checked on real runs, check by check.

    GET  /lessons/{slug}/challenge                                  the challenges, passed or not
    GET  /lessons/{slug}/challenge/{item}                           one: task, editor, checks
    POST /lessons/{slug}/challenge/{item}                           field code: check it -> 303
    POST /lessons/{slug}/challenge/{item}/draft                     field code: keep it -> 204
    GET  /lessons/{slug}/challenge/{item}/attempts/{attempt}        an attempt, check by check
    GET  /lessons/{slug}/challenge/{item}/runs/{run}?step=N&check=C the replay a check links to

and the same under ``/project`` for the project's milestones (one shared draft for the
project's single file). A failed check says what it saw and links to the replay step that
shows it, and the replay says which check sent the learner there; a pass is kept per learner.
Check lands on the attempt at ``#verdict``, the verdict in focus.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from lessons.exercise_checks import Checked
from lessons.models import Challenge, ProjectStep
from loopscope.runs.practice import CodeSyntaxError, PracticeError
from loopscope.runs.service import RUN_ID_PATTERN, SandboxOff
from loopscope.views import LearnerState, LessonContext, lesson_header
from loopscope.views.practice import (
    EditorView,
    exercise_list,
    exercise_view,
    replay_note,
    stopped_early,
)
from loopscope.views.visual import clamp_step, transcript
from loopscope.web.deps import (
    LearnerDep,
    LearnerStateDep,
    LessonDep,
    PracticeDep,
    StepNumber,
    StoreDep,
    TemplatesDep,
    WorkDep,
    load_learner_state,
    remember_visit,
)
from loopscope.web.middleware.security import require_csrf_token
from loopscope.web.routes.trying import player_fragment, player_markup, run_allowance
from loopscope.web.templating import VARY, is_partial

router = APIRouter(include_in_schema=False)

Kind = Literal["challenge", "project"]
ItemId = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,64}$")]
RunId = Annotated[str, Path(pattern=RUN_ID_PATTERN)]
AttemptId = Annotated[str, Path(pattern=RUN_ID_PATTERN)]
CodeField = Annotated[str, Form(max_length=200_000)]
CheckFrom = Annotated[str | None, Query(pattern=r"^[a-z0-9-]{1,64}$")]
RESULT_ANCHOR = "verdict"  # the id of the attempt's verdict in checked.html: Check lands there
NO_ITEM = "This lesson has no exercise at this address."
NO_ATTEMPT = "There is no checked attempt at this address."
NO_RUN = "There is no run of your code at this address."


def _item(lesson: LessonContext, kind: Kind, item_id: str) -> Challenge | ProjectStep:
    items: tuple[Challenge | ProjectStep, ...] = (
        lesson.lesson.challenge.challenges if kind == "challenge" else lesson.lesson.project.steps
    )
    found = next((item for item in items if item.id == item_id), None)
    if found is None:
        raise HTTPException(status_code=404, detail=NO_ITEM)
    return found


def _place(kind: Kind, item_id: str) -> str:
    return f"{kind}/{item_id}"


def _draft_place(kind: Kind, item_id: str) -> str:
    # The project is one file built milestone by milestone: one draft for all of them.
    return "project" if kind == "project" else _place(kind, item_id)


def _starter(lesson: LessonContext, kind: Kind, item: Challenge | ProjectStep) -> str:
    name = item.starter if isinstance(item, Challenge) else lesson.lesson.project.starter
    return lesson.lesson.sources[name]


# --- the list pages ---------------------------------------------------------------------------


async def _list(
    request: Request,
    kind: Kind,
    lesson: LessonContext,
    learner: LearnerDep,
    state: LearnerState,
    store: StoreDep,
    work: WorkDep,
    templates: TemplatesDep,
) -> Response:
    await remember_visit(store, learner, state, lesson.slug, kind, work_page=True)
    passed = frozenset() if learner.is_new else await work.passed(learner.id, lesson.slug)

    def context() -> dict[str, Any]:
        md = lesson.md
        items: tuple[tuple[str, Checked, str], ...]
        if kind == "challenge":
            mode = lesson.lesson.challenge
            intro = mode.intro
            items = tuple((_place(kind, c.id), c, c.title) for c in mode.challenges)
            solution = None
        else:
            project = lesson.lesson.project
            intro = project.goal
            items = tuple((_place(kind, s.id), s, s.title) for s in project.steps)
            solution = md.code(project.solution)

        def url(item_id: str) -> str:
            return str(request.url_for(f"{kind}_item", slug=lesson.slug, item_id=item_id))

        view = exercise_list(md, intro, items, passed, url, solution)
        found = {"page": lesson_header(lesson, kind, state), "view": view, "kind": kind}
        if kind == "project":
            found["project_title"] = lesson.lesson.project.title
        return found

    # The list is the same for every learner with the same state and passes.
    key = (lesson.slug, kind, state.cache_key, passed)
    return templates.page(request, f"lessons/{kind}.html", key, context)


@router.get("/lessons/{slug}/challenge", name="challenge_list")
async def challenge_list(
    request: Request,
    lesson: LessonDep,
    learner: LearnerDep,
    state: LearnerStateDep,
    store: StoreDep,
    work: WorkDep,
    templates: TemplatesDep,
) -> Response:
    return await _list(request, "challenge", lesson, learner, state, store, work, templates)


@router.get("/lessons/{slug}/project", name="project_list")
async def project_list(
    request: Request,
    lesson: LessonDep,
    learner: LearnerDep,
    state: LearnerStateDep,
    store: StoreDep,
    work: WorkDep,
    templates: TemplatesDep,
) -> Response:
    return await _list(request, "project", lesson, learner, state, store, work, templates)


# --- one exercise -----------------------------------------------------------------------------


async def _item_page(
    request: Request,
    kind: Kind,
    lesson: LessonContext,
    item_id: str,
    learner: LearnerDep,
    state: LearnerState,
    work: WorkDep,
    practice: PracticeDep,
    templates: TemplatesDep,
) -> Response:
    item = _item(lesson, kind, item_id)
    draft = (
        None
        if learner.is_new
        else await work.draft(learner.id, lesson.slug, _draft_place(kind, item_id))
    )
    code = draft.code if draft is not None else _starter(lesson, kind, item)
    editor = _editor(request, kind, lesson, item, code, practice.sandbox.reason or None)
    return await _render(request, kind, lesson, item, learner, state, work, templates, editor, None)


async def _check(
    request: Request,
    kind: Kind,
    lesson: LessonContext,
    item_id: str,
    code: str,
    learner: LearnerDep,
    state: LearnerState,
    work: WorkDep,
    practice: PracticeDep,
    templates: TemplatesDep,
) -> Response:
    item = _item(lesson, kind, item_id)
    code = code.replace("\r\n", "\n")
    await work.save_draft(learner.id, lesson.slug, _draft_place(kind, item_id), code, "")
    off = practice.sandbox.reason or None
    waiting = await run_allowance(request, learner)  # after the draft is kept: nothing is lost
    if waiting is not None:
        editor = _editor(request, kind, lesson, item, code, off, error=waiting.detail)
        response = await _render(
            request, kind, lesson, item, learner, state, work, templates, editor, None, status=429
        )
        response.headers.update(waiting.headers or {})
        return response
    try:
        attempt = await practice.check(learner.id, lesson.slug, _place(kind, item_id), item, code)
    except PracticeError as exc:
        line = exc.line if isinstance(exc, CodeSyntaxError) and exc.where != "the call" else None
        editor = _editor(request, kind, lesson, item, code, off, error=str(exc), line=line)
        return await _render(
            request, kind, lesson, item, learner, state, work, templates, editor, None, status=422
        )
    except SandboxOff as exc:
        editor = _editor(request, kind, lesson, item, code, str(exc) or off)
        return await _render(
            request, kind, lesson, item, learner, state, work, templates, editor, None, status=503
        )
    url = request.url_for(
        f"{kind}_attempt", slug=lesson.slug, item_id=item_id, attempt_id=attempt.id
    )
    return RedirectResponse(f"{url}#{RESULT_ANCHOR}", status_code=303, headers={"Vary": VARY})


async def _draft(
    kind: Kind, lesson: LessonContext, item_id: str, code: str, learner: LearnerDep, work: WorkDep
) -> Response:
    """The editor saves the draft as the learner types (without JavaScript, Check saves it)."""
    _item(lesson, kind, item_id)
    place = _draft_place(kind, item_id)
    await work.save_draft(learner.id, lesson.slug, place, code.replace("\r\n", "\n"), "")
    return Response(status_code=204)


async def _attempt_page(
    request: Request,
    kind: Kind,
    lesson: LessonContext,
    item_id: str,
    attempt_id: str,
    learner: LearnerDep,
    store: StoreDep,
    work: WorkDep,
    practice: PracticeDep,
    templates: TemplatesDep,
) -> Response:
    item = _item(lesson, kind, item_id)
    attempt = await work.attempt(attempt_id)
    if attempt is None or attempt.lesson != lesson.slug or attempt.place != _place(kind, item_id):
        raise HTTPException(status_code=404, detail=NO_ATTEMPT)
    state = await load_learner_state(store, learner, lesson.slug)
    editor = _editor(request, kind, lesson, item, attempt.code, practice.sandbox.reason or None)
    return await _render(
        request, kind, lesson, item, learner, state, work, templates, editor, attempt
    )


async def _replay(
    request: Request,
    kind: Kind,
    lesson: LessonContext,
    item_id: str,
    run_id: str,
    learner: LearnerDep,
    store: StoreDep,
    practice: PracticeDep,
    templates: TemplatesDep,
    step: int | None,
    check_id: str | None,
) -> Response:
    item = _item(lesson, kind, item_id)
    found = await practice.learner_run(run_id, lesson.slug)
    hidden = {run.call for run in item.runs if run.hidden}
    if found is None or found.run.call in hidden:  # hidden inputs stay hidden
        raise HTTPException(status_code=404, detail=NO_RUN)
    step = clamp_step(found.run.trace, step)  # of this run, before anything is rendered or kept
    steps_url = str(
        request.url_for(f"{kind}_replay", slug=lesson.slug, item_id=item_id, run_id=run_id)
    )
    stopped = stopped_early(found.run.trace)
    if is_partial(request) and stopped is None:
        return await player_fragment(templates, found, steps_url, step)
    state = await load_learner_state(store, learner, lesson.slug)
    check = next((c for c in item.checks if c.id == check_id), None)
    replay = (
        await templates.off_loop(lambda: player_markup(templates, found, steps_url, step))
        if stopped is None
        else None
    )
    context = {
        "page": lesson_header(lesson, kind, state),
        "title": lesson.md.inline(item.title),
        "back_url": str(request.url_for(f"{kind}_item", slug=lesson.slug, item_id=item_id)),
        "player": replay.player if replay is not None else None,
        "stopped": stopped,
        "note": replay_note(lesson.md, check, step) if check is not None else None,
        "transcript": replay.transcript if replay is not None else transcript(found.run.trace),
        "run": found.run,
    }
    return templates.render(request, "lessons/replay.html", context)


def _editor(
    request: Request,
    kind: Kind,
    lesson: LessonContext,
    item: Challenge | ProjectStep,
    code: str,
    off: str | None,
    *,
    error: str | None = None,
    line: int | None = None,
) -> EditorView:
    return EditorView(
        action=str(request.url_for(f"{kind}_check", slug=lesson.slug, item_id=item.id)),
        code=code,
        call=item.visible_run.call,
        call_editable=False,
        submit_label="Check my code",
        off_reason=off,
        error=error,
        error_line=line,
        draft_url=str(request.url_for(f"{kind}_draft", slug=lesson.slug, item_id=item.id)),
    )


async def _render(
    request: Request,
    kind: Kind,
    lesson: LessonContext,
    item: Challenge | ProjectStep,
    learner: LearnerDep,
    state: LearnerState,
    work: WorkDep,
    templates: TemplatesDep,
    editor: EditorView,
    attempt: Any,
    *,
    status: int = 200,
) -> Response:
    passed = frozenset() if learner.is_new else await work.passed(learner.id, lesson.slug)

    def replay_url(run_id: str, step: int | None, check_id: str) -> str:
        url = str(
            request.url_for(f"{kind}_replay", slug=lesson.slug, item_id=item.id, run_id=run_id)
        )
        at = f"step={step}&" if step is not None else ""
        return f"{url}?{at}check={check_id}#replay-note"

    back = str(request.url_for(f"{kind}_list", slug=lesson.slug))
    label = "All challenges" if kind == "challenge" else "The project's milestones"
    view = exercise_view(
        lesson.md,
        kind,
        item,
        editor,
        passed_before=_place(kind, item.id) in passed,
        attempt=attempt,
        replay_url=replay_url,
        back=(back, label),
        finished=kind == "project"
        and attempt is not None
        and all(_place(kind, step.id) in passed for step in lesson.lesson.project.steps),
    )
    context = {"page": lesson_header(lesson, kind, state), "view": view}
    return templates.render(request, "lessons/checked.html", context, status_code=status)


# --- the routes, once per kind ----------------------------------------------------------------


def _routes(kind: Kind) -> None:
    base = f"/lessons/{{slug}}/{kind}/{{item_id}}"

    async def item_page(
        request: Request,
        lesson: LessonDep,
        item_id: ItemId,
        learner: LearnerDep,
        state: LearnerStateDep,
        work: WorkDep,
        practice: PracticeDep,
        templates: TemplatesDep,
    ) -> Response:
        return await _item_page(
            request, kind, lesson, item_id, learner, state, work, practice, templates
        )

    async def check(
        request: Request,
        lesson: LessonDep,
        item_id: ItemId,
        code: CodeField,
        learner: LearnerDep,
        state: LearnerStateDep,
        work: WorkDep,
        practice: PracticeDep,
        templates: TemplatesDep,
    ) -> Response:
        return await _check(
            request, kind, lesson, item_id, code, learner, state, work, practice, templates
        )

    async def attempt_page(
        request: Request,
        lesson: LessonDep,
        item_id: ItemId,
        attempt_id: AttemptId,
        learner: LearnerDep,
        store: StoreDep,
        work: WorkDep,
        practice: PracticeDep,
        templates: TemplatesDep,
    ) -> Response:
        return await _attempt_page(
            request, kind, lesson, item_id, attempt_id, learner, store, work, practice, templates
        )

    async def replay(
        request: Request,
        lesson: LessonDep,
        item_id: ItemId,
        run_id: RunId,
        learner: LearnerDep,
        store: StoreDep,
        practice: PracticeDep,
        templates: TemplatesDep,
        step: StepNumber = None,
        check: CheckFrom = None,
    ) -> Response:
        return await _replay(
            request, kind, lesson, item_id, run_id, learner, store, practice, templates, step, check
        )

    async def draft(
        lesson: LessonDep, item_id: ItemId, code: CodeField, learner: LearnerDep, work: WorkDep
    ) -> Response:
        return await _draft(kind, lesson, item_id, code, learner, work)

    router.add_api_route(base, item_page, methods=["GET"], name=f"{kind}_item")
    router.add_api_route(
        base,
        check,
        methods=["POST"],
        name=f"{kind}_check",
        dependencies=[Depends(require_csrf_token)],
    )
    router.add_api_route(
        f"{base}/draft",
        draft,
        methods=["POST"],
        name=f"{kind}_draft",
        dependencies=[Depends(require_csrf_token)],
    )
    router.add_api_route(
        f"{base}/attempts/{{attempt_id}}", attempt_page, methods=["GET"], name=f"{kind}_attempt"
    )
    router.add_api_route(f"{base}/runs/{{run_id}}", replay, methods=["GET"], name=f"{kind}_replay")


_routes("challenge")
_routes("project")
