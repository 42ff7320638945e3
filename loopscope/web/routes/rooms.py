"""Workshop rooms: the host paces a room, learners answer, both pages follow it live.

    GET  /rooms/new                           choose a lesson, "Create room"
    POST /rooms                               create -> 303 host page (sets the host cookie)
    GET  /join  ?code=                        "Join code", "Nickname", "Join"
    POST /join                                -> 303 /rooms/{code}
    GET  /rooms/{code}  ?refused=             the learner's page (the current item); after a
                                              refused answer, one message saying why
    GET  /rooms/{code}/events                 the learner's live updates (SSE)
    POST /rooms/{code}/answers                commit an answer (refused: 303 back, htmx 409)
    GET  /rooms/{code}/host  ?key=            the host page; ``key`` (the host link) sets the
                                              host cookie on a second device
    GET  /rooms/{code}/host/events            the host's live updates (SSE)
    POST /rooms/{code}/items/{item}/{verb}    open | reveal | lock (host)
    POST /rooms/{code}/items/{item}/countdown seconds, lock: start the item's countdown (host)
    POST /rooms/{code}/end | /delete          end the session | delete the room (host)

and, in their own modules: the presenter's screen (``room_presenter``), the summary and CSV
(``room_records``), learners' code on code items (``room_code``); what they share is in
``room_common``. Every form works without JavaScript (POST, 303 back); with htmx the changed
part comes back as a fragment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.responses import Response

from loopscope.rooms.codes import NICKNAME_MAX, normalise_code
from loopscope.rooms.hub import RoomHub
from loopscope.rooms.items import ITEM_KEY_PATTERN, RoomItem
from loopscope.rooms.renderer import RoomRenderer
from loopscope.rooms.service import COUNTDOWN_CHOICES, RoomError, RoomService
from loopscope.storage.rooms import RoomRecord
from loopscope.storage.work import LearnerWork
from loopscope.views.rooms import RoomPaths, activity
from loopscope.web.deps import LearnerDep, LessonsDep, TemplatesDep, TracesDep, WorkDep
from loopscope.web.middleware.security import require_csrf_token
from loopscope.web.routes.room_common import (
    HOST_COOKIE,
    NOT_HOST,
    HostRoomDep,
    HubDep,
    ItemKey,
    LastEventId,
    RendererDep,
    RoomDep,
    RoomsDep,
    Since,
    StreamSlot,
    fresh_hub,
    host_token,
    join_details,
    lesson_of,
    require_participant,
    room_event,
    see_other,
    since_of,
)
from loopscope.web.templating import Templates, is_partial

router = APIRouter(include_in_schema=False)
csrf = [Depends(require_csrf_token)]

ACTIVITY_SHOWN = 12
Verb = Annotated[Literal["open", "reveal", "lock"], Path()]


# --- creating and joining ------------------------------------------------------------------


@router.get("/rooms/new", name="room_new")
async def room_new(request: Request, lessons: LessonsDep, templates: TemplatesDep) -> Response:
    return templates.render(request, "rooms/new.html", {"lessons": lessons, "error": None})


@router.post("/rooms", name="room_create", dependencies=csrf)
async def room_create(
    request: Request,
    lesson: Annotated[str, Form(pattern=r"^[a-z0-9-]+$", max_length=64)],
    rooms: RoomsDep,
    lessons: LessonsDep,
    templates: TemplatesDep,
) -> Response:
    try:
        created = await rooms.create(lesson)
    except RoomError as exc:  # a lesson that does not exist: the form again, with why
        context = {"lessons": lessons, "error": str(exc)}
        return templates.render(request, "rooms/new.html", context, status_code=422)
    paths = RoomPaths(created.room.code)
    response = see_other(paths.host)
    _set_host_cookie(request, response, created.room.code, created.host_token, rooms)
    return response


def _set_host_cookie(
    request: Request, response: Response, code: str, token: str, rooms: RoomService
) -> None:
    response.set_cookie(
        HOST_COOKIE,
        token,
        max_age=int(rooms.retention.total_seconds()),
        path=RoomPaths(code).page,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


@router.get("/join", name="room_join_form")
async def room_join_form(
    request: Request, templates: TemplatesDep, code: Annotated[str, Query(max_length=32)] = ""
) -> Response:
    context = {"code": code, "nickname": "", "error": None, "nickname_max": NICKNAME_MAX}
    return templates.render(request, "rooms/join.html", context)


@router.post("/join", name="room_join", dependencies=csrf)
async def room_join(
    request: Request,
    code: Annotated[str, Form(max_length=32)],
    nickname: Annotated[str, Form(max_length=200)],
    learner: LearnerDep,
    rooms: RoomsDep,
    templates: TemplatesDep,
) -> Response:
    normal = normalise_code(code)
    room = await rooms.room(normal) if normal else None
    error = None
    if room is None:
        error = f"No room has the code “{code.strip()}”. Check it with the host."
    else:
        try:
            await rooms.join(room.code, learner.id, nickname)
        except RoomError as exc:
            error = str(exc)
    if error is not None or room is None:
        context = {"code": code, "nickname": nickname, "error": error, "nickname_max": NICKNAME_MAX}
        return templates.render(request, "rooms/join.html", context, status_code=422)
    return see_other(RoomPaths(room.code).page)


# --- the learner ---------------------------------------------------------------------------


@router.get("/rooms/{code}", name="room_page")
async def room_page(
    request: Request,
    room: RoomDep,
    learner: LearnerDep,
    rooms: RoomsDep,
    renderer: RendererDep,
    templates: TemplatesDep,
    work: WorkDep,
    refused: Annotated[str | None, Query(pattern=ITEM_KEY_PATTERN, max_length=96)] = None,
) -> Response:
    hub = await fresh_hub(room, rooms)
    if learner.id not in hub.state.participants:
        return see_other(f"/join?code={room.code}")
    # Back from a refused answer (without JavaScript): one message, saying why now.
    notice = hub.state.refusal(refused, rooms.store.now()) if refused else None
    return await learner_page(
        request, room, hub, learner.id, rooms, renderer, templates, work, notice=notice
    )


async def code_draft(
    work: LearnerWork, learner: str, lesson: str, item: RoomItem | None
) -> str | None:
    """The learner's draft for a code item: the same one their Try or Challenge page keeps."""
    if item is None or item.code is None:
        return None
    place = "try" if item.challenge is None else f"challenge/{item.challenge.id}"
    draft = await work.draft(learner, lesson, place)
    return draft.code if draft is not None else None


async def learner_page(
    request: Request,
    room: RoomRecord,
    hub: RoomHub,
    learner: str,
    rooms: RoomService,
    renderer: RoomRenderer,
    templates: Templates,
    work: LearnerWork,
    *,
    notice: str | None = None,
    status_code: int = 200,
    code: str | None = None,
) -> Response:
    state = hub.state
    ctx = lesson_of(request, room)
    items = {item.key: item for item in rooms.items(state.lesson)}
    if code is None and state.current is not None:
        code = await code_draft(work, learner, room.lesson, items.get(state.current))
    now = rooms.store.now()
    context = await renderer.stage_context(ctx, rooms, state, learner, now, draft=code)
    context["notice"] = notice
    logged = hub.missed(max(state.seq - 200, 0), learner) or ()
    context |= {
        "room": room,
        "seq": state.seq,
        "nickname": state.participants[learner].nickname,
        "lesson_title": ctx.lesson.meta.title,
        "entries": activity(logged, items)[-ACTIVITY_SHOWN:],
        "now_ms": int(now.timestamp() * 1000),
    }
    return templates.render(
        request, "rooms/room.html", context, blocks=("stage",), status_code=status_code
    )


@router.get(
    "/rooms/{code}/events",
    name="room_events",
    response_class=EventSourceResponse,
    dependencies=[StreamSlot],
)
async def room_events(
    request: Request,
    hub: Annotated[RoomHub, Depends(require_participant)],
    learner: LearnerDep,
    rooms: RoomsDep,
    renderer: RendererDep,
    last_event_id: LastEventId = None,
    since: Since = None,
) -> AsyncIterator[ServerSentEvent]:
    ctx = lesson_of(request, hub.state)
    async for update in hub.follow(since_of(last_event_id, since), learner.id):
        html = await renderer.learner_update(ctx, rooms, hub, update, learner.id)
        yield room_event(html, update.state)


@router.post("/rooms/{code}/answers", name="room_answer", dependencies=csrf)
async def room_answer(
    request: Request,
    room: RoomDep,
    item: Annotated[str, Form(pattern=ITEM_KEY_PATTERN, max_length=96)],
    choice: Annotated[str, Form(pattern=r"^[a-z0-9-]+$", max_length=64)],
    learner: LearnerDep,
    rooms: RoomsDep,
    renderer: RendererDep,
    templates: TemplatesDep,
    work: WorkDep,
) -> Response:
    notice = None
    try:
        await rooms.answer(room, learner.id, item, choice)
    except RoomError as exc:
        notice = str(exc)
    page = RoomPaths(room.code).page
    if not is_partial(request):
        # Without JavaScript, back to the room either way: a refusal says why there, once.
        return see_other(page + (f"?refused={item}" if notice else "") + "#stage")
    hub = await fresh_hub(room, rooms)
    if learner.id not in hub.state.participants:
        return see_other(f"/join?code={room.code}")
    status = 409 if notice is not None else 200
    return await learner_page(
        request, room, hub, learner.id, rooms, renderer, templates, work,
        notice=notice, status_code=status,
    )  # fmt: skip


# --- the host ------------------------------------------------------------------------------


@router.get("/rooms/{code}/host", name="room_host")
async def room_host(
    request: Request,
    room: RoomDep,
    rooms: RoomsDep,
    renderer: RendererDep,
    templates: TemplatesDep,
    key: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    paths = RoomPaths(room.code)
    if key is not None:
        if not rooms.is_host(room, key):
            raise HTTPException(status_code=403, detail=NOT_HOST)
        response = see_other(paths.host)
        _set_host_cookie(request, response, room.code, key, rooms)
        return response
    token = host_token(request)
    if not rooms.is_host(room, token):
        raise HTTPException(status_code=403, detail=NOT_HOST)
    return await _host_page(request, room, rooms, renderer, templates, token or "")


async def _host_page(
    request: Request,
    room: RoomRecord,
    rooms: RoomService,
    renderer: RoomRenderer,
    templates: Templates,
    token: str,
    *,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    hub = await fresh_hub(room, rooms)
    ctx = lesson_of(request, room)
    context = await renderer.host_context(ctx, rooms, hub.state)
    base = str(request.base_url).rstrip("/")
    context |= {
        "room": room,
        "seq": hub.state.seq,
        "lesson_title": ctx.lesson.meta.title,
        "join": join_details(request, room.code),
        "host_link": f"{base}{RoomPaths(room.code).host}?key={token}",
        "retention_days": rooms.retention.days,
        "notice": notice,
        "now_ms": int(rooms.store.now().timestamp() * 1000),
    }
    return templates.render(
        request, "rooms/host.html", context, blocks=("live",), status_code=status_code
    )


@router.get(
    "/rooms/{code}/host/events",
    name="room_host_events",
    response_class=EventSourceResponse,
    dependencies=[StreamSlot],
)
async def room_host_events(
    request: Request,
    room: HostRoomDep,
    hub: HubDep,
    rooms: RoomsDep,
    renderer: RendererDep,
    last_event_id: LastEventId = None,
    since: Since = None,
) -> AsyncIterator[ServerSentEvent]:
    ctx = lesson_of(request, room)
    async for update in hub.follow(since_of(last_event_id, since), None):
        html = await renderer.host_update(ctx, rooms, update.state)
        yield room_event(html, update.state)


# Before the {verb} route, which would take its address.
@router.post("/rooms/{code}/items/{item}/countdown", name="room_countdown", dependencies=csrf)
async def room_countdown(
    request: Request,
    room: HostRoomDep,
    item: ItemKey,
    seconds: Annotated[int, Form(ge=min(COUNTDOWN_CHOICES), le=max(COUNTDOWN_CHOICES))],
    rooms: RoomsDep,
    renderer: RendererDep,
    templates: TemplatesDep,
    lock: Annotated[bool, Form()] = False,
) -> Response:
    change = rooms.countdown(room, item, seconds, lock=lock)
    return await _host_action(request, room, rooms, renderer, templates, change)


@router.post("/rooms/{code}/items/{item}/{verb}", name="room_item_action", dependencies=csrf)
async def room_item_action(
    request: Request,
    room: HostRoomDep,
    item: ItemKey,
    verb: Verb,
    rooms: RoomsDep,
    traces: TracesDep,
    renderer: RendererDep,
    templates: TemplatesDep,
) -> Response:
    if verb == "open":
        change = rooms.open(room, item)
    else:
        change = (rooms.reveal if verb == "reveal" else rooms.lock)(room, item)
    return await _host_action(request, room, rooms, renderer, templates, change)


@router.post("/rooms/{code}/end", name="room_end", dependencies=csrf)
async def room_end(
    request: Request,
    room: HostRoomDep,
    rooms: RoomsDep,
    renderer: RendererDep,
    templates: TemplatesDep,
) -> Response:
    return await _host_action(request, room, rooms, renderer, templates, rooms.end(room))


async def _host_action(
    request: Request,
    room: RoomRecord,
    rooms: RoomService,
    renderer: RoomRenderer,
    templates: Templates,
    change: Awaitable[Any],
) -> Response:
    notice = None
    try:
        await change
    except RoomError as exc:
        notice = str(exc)
    if notice is None and not is_partial(request):
        return see_other(RoomPaths(room.code).host)
    token = host_token(request) or ""
    status = 409 if notice is not None else 200
    return await _host_page(
        request, room, rooms, renderer, templates, token, notice=notice, status_code=status
    )


@router.post("/rooms/{code}/delete", name="room_delete", dependencies=csrf)
async def room_delete(
    request: Request,
    room: HostRoomDep,
    rooms: RoomsDep,
    templates: TemplatesDep,
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    if not confirm:
        raise HTTPException(
            status_code=422, detail="Tick “Yes, delete this room” to delete it and its answers."
        )
    await rooms.delete(room)
    response = templates.render(request, "rooms/deleted.html", {"code": room.code})
    response.delete_cookie(HOST_COOKIE, path=RoomPaths(room.code).page)
    return response
