"""Workshop rooms: the host paces a room, learners answer, both pages follow it live.

    GET  /rooms/new                           choose a lesson, "Create room"
    POST /rooms                               create -> 303 host page (sets the host cookie)
    GET  /join  ?code=                        "Join code", "Nickname", "Join"
    POST /join                                -> 303 /rooms/{code}
    GET  /rooms/{code}                        the learner's page (the current item)
    GET  /rooms/{code}/events                 the learner's live updates (SSE)
    POST /rooms/{code}/answers                commit an answer (refused with 409 when closed)
    GET  /rooms/{code}/host  ?key=            the host page; ``key`` (the host link) sets the
                                              host cookie on a second device
    GET  /rooms/{code}/host/events            the host's live updates (SSE)
    POST /rooms/{code}/items/{item}/{verb}    open | reveal | lock (host)
    POST /rooms/{code}/end | /delete          end the session | delete the room (host)
    GET  /rooms/{code}/summary                the summary (host; learners see revealed items)
    GET  /rooms/{code}/export.csv             every answer as CSV (host only, 403 otherwise)

Host-only means: the request carries the room's host token in the ``loopscope_host`` cookie
(path-scoped to the room). Every form works without JavaScript (POST, 303 back); with htmx the
changed part comes back as a fragment. Live updates are Server-Sent Events whose ``id:`` is the
room's event number: a page that reconnects (``Last-Event-ID``) or was rendered at ``since``
gets the current state and the list of what it missed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Header, HTTPException, Path, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from jinja2_fragments import render_block
from starlette.responses import RedirectResponse, Response

from loopscope.deps import LearnerDep, LessonsDep, TemplatesDep, TracesDep
from loopscope.rooms.codes import CODE_PATTERN, NICKNAME_MAX, normalise_code
from loopscope.rooms.hub import RoomHub, Update
from loopscope.rooms.items import ITEM_KEY_PATTERN
from loopscope.rooms.network import lan_addresses
from loopscope.rooms.service import RoomError, RoomService
from loopscope.rooms.state import RoomState
from loopscope.security import require_csrf_token
from loopscope.storage.rooms import RoomRecord
from loopscope.templating import VARY, Templates, fragment_cache, is_partial
from loopscope.tracing import RecordedRun, TraceService
from loopscope.views import LessonContext
from loopscope.views.rooms import (
    RoomPaths,
    activity,
    host_live,
    join_info,
    stage_view,
    summary,
)

router = APIRouter(include_in_schema=False)
csrf = [Depends(require_csrf_token)]

HOST_COOKIE = "loopscope_host"
NO_ROOM = "There is no room with this code. Check the code, or ask the host for it."
NOT_HOST = "Only the host of this room can do this. The host opens it with the host link."
NOT_IN_ROOM = "Only the host and the room's learners see its summary."
ACTIVITY_SHOWN = 12

Code = Annotated[str, Path(pattern=CODE_PATTERN)]
ItemKey = Annotated[str, Path(pattern=ITEM_KEY_PATTERN, max_length=96)]
Verb = Annotated[Literal["open", "reveal", "lock"], Path()]
Since = Annotated[int | None, Query(ge=0, le=2**62)]
LastEventId = Annotated[str | None, Header(alias="last-event-id", max_length=24)]


# --- dependencies --------------------------------------------------------------------------


async def get_rooms(request: Request) -> RoomService:
    rooms: RoomService = request.app.state.rooms
    return rooms


RoomsDep = Annotated[RoomService, Depends(get_rooms)]


async def get_room(code: Code, rooms: RoomsDep) -> RoomRecord:
    room = await rooms.room(code)
    if room is None:
        raise HTTPException(status_code=404, detail=NO_ROOM)
    return room


RoomDep = Annotated[RoomRecord, Depends(get_room)]


def host_token(request: Request) -> str | None:
    return request.cookies.get(HOST_COOKIE)


async def require_host(request: Request, room: RoomDep, rooms: RoomsDep) -> RoomRecord:
    if not rooms.is_host(room, host_token(request)):
        raise HTTPException(status_code=403, detail=NOT_HOST)
    return room


HostRoomDep = Annotated[RoomRecord, Depends(require_host)]


async def get_hub(room: RoomDep, rooms: RoomsDep) -> RoomHub:
    hub = await rooms.hub(room.code)
    if hub is None:
        raise HTTPException(status_code=404, detail=NO_ROOM)
    return hub


HubDep = Annotated[RoomHub, Depends(get_hub)]


async def require_participant(hub: HubDep, learner: LearnerDep) -> RoomHub:
    if learner.id not in hub.state.participants:
        raise HTTPException(status_code=403, detail="Join the room first.")
    return hub


def _since(last_event_id: str | None, since: int | None) -> int | None:
    """What the page has seen: the browser's Last-Event-ID wins over the page's own number."""
    if last_event_id is not None and last_event_id.isdigit():
        return int(last_event_id)
    return since


# --- rendering ---------------------------------------------------------------------------------


class RoomRenderer:
    """Renders the live parts of the room pages, for full pages and for the SSE streams.

    A learner's stage depends on the room and that learner's own answer only, so one render is
    shared by every learner who gave the same answer (or none): an event reaching 300 learners
    costs a handful of renders, not 300.
    """

    def __init__(self, templates: Templates, traces: TraceService) -> None:
        self._env = templates.blocks.env
        self._traces = traces
        self._cache = fragment_cache(8 * 2**20)

    async def run(self, state: RoomState) -> RecordedRun | None:
        if state.current is None:
            return None
        run_id = state.item(state.current).run_id
        return await self._traces.get(run_id) if run_id else None

    async def stage_context(
        self, ctx: LessonContext, rooms: RoomService, state: RoomState, learner: str
    ) -> dict[str, Any]:
        items = {item.key: item for item in rooms.items(state.lesson)}
        return {
            "stage": stage_view(ctx, items, state, learner, await self.run(state)),
            "paths": RoomPaths(state.code),
            "notice": None,
        }

    async def learner_update(
        self, ctx: LessonContext, rooms: RoomService, hub: RoomHub, update: Update, learner: str
    ) -> str:
        """The stage plus the activity the page missed. Pages that saw the same events and gave
        the same answer get the same message: a live event is rendered once or a few times."""
        state = update.state
        mine = state.answer(state.current, learner) if state.current else None
        missed = update.missed or ()
        key = (
            "learner",
            state.code,
            hub.public_seq,
            mine.choice if mine else None,
            tuple(event.seq for event in missed),
        )
        html = self._cache.get(key)
        if html is None:
            context = await self.stage_context(ctx, rooms, state, learner)
            stage = render_block(self._env, "rooms/room.html", "stage", csrf_token="", **context)
            items = {item.key: item for item in rooms.items(state.lesson)}
            entries = render_block(
                self._env, "rooms/room.html", "activity", entries=activity(missed, items)
            )
            html = stage + "\n" + entries
            self._cache[key] = html
        return html

    async def host_context(
        self, ctx: LessonContext, rooms: RoomService, state: RoomState
    ) -> dict[str, Any]:
        return {
            "live": host_live(ctx, rooms.items(state.lesson), state, await self.run(state)),
            "paths": RoomPaths(state.code),
        }

    async def host_update(self, ctx: LessonContext, rooms: RoomService, state: RoomState) -> str:
        key = ("host", state.code, state.seq)
        html = self._cache.get(key)
        if html is None:
            context = await self.host_context(ctx, rooms, state)
            html = render_block(self._env, "rooms/host.html", "live", csrf_token="", **context)
            self._cache[key] = html
        return html


async def get_renderer(request: Request) -> RoomRenderer:
    renderer: RoomRenderer | None = getattr(request.app.state, "room_renderer", None)
    if renderer is None:
        renderer = RoomRenderer(request.app.state.templates, request.app.state.traces)
        request.app.state.room_renderer = renderer
    return renderer


RendererDep = Annotated[RoomRenderer, Depends(get_renderer)]


def _lesson(request: Request, room: RoomRecord | RoomState) -> LessonContext:
    lessons: dict[str, LessonContext] = request.app.state.lessons
    found = lessons.get(room.lesson)
    if found is None:
        raise HTTPException(status_code=404, detail="This room's lesson is no longer here.")
    return found


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers={"Vary": VARY})


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
    response = _see_other(paths.host)
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
    return _see_other(RoomPaths(room.code).page)


# --- the learner ---------------------------------------------------------------------------


@router.get("/rooms/{code}", name="room_page")
async def room_page(
    request: Request,
    room: RoomDep,
    learner: LearnerDep,
    rooms: RoomsDep,
    renderer: RendererDep,
    templates: TemplatesDep,
) -> Response:
    hub = await rooms.hub(room.code, fresh=True)
    if hub is None:
        raise HTTPException(status_code=404, detail=NO_ROOM)
    if learner.id not in hub.state.participants:
        return _see_other(f"/join?code={room.code}")
    return await _learner_page(request, room, hub, learner.id, rooms, renderer, templates)


async def _learner_page(
    request: Request,
    room: RoomRecord,
    hub: RoomHub,
    learner: str,
    rooms: RoomService,
    renderer: RoomRenderer,
    templates: Templates,
    *,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    state = hub.state
    ctx = _lesson(request, room)
    context = await renderer.stage_context(ctx, rooms, state, learner)
    context["notice"] = notice
    items = {item.key: item for item in rooms.items(state.lesson)}
    logged = hub.missed(max(state.seq - 200, 0), learner) or ()
    context |= {
        "room": room,
        "seq": state.seq,
        "nickname": state.participants[learner].nickname,
        "lesson_title": ctx.lesson.meta.title,
        "entries": activity(logged, items)[-ACTIVITY_SHOWN:],
    }
    return templates.render(
        request, "rooms/room.html", context, blocks=("stage",), status_code=status_code
    )


@router.get("/rooms/{code}/events", name="room_events", response_class=EventSourceResponse)
async def room_events(
    request: Request,
    hub: Annotated[RoomHub, Depends(require_participant)],
    learner: LearnerDep,
    rooms: RoomsDep,
    renderer: RendererDep,
    last_event_id: LastEventId = None,
    since: Since = None,
) -> AsyncIterator[ServerSentEvent]:
    ctx = _lesson(request, hub.state)
    async for update in hub.follow(_since(last_event_id, since), learner.id):
        html = await renderer.learner_update(ctx, rooms, hub, update, learner.id)
        kind = "gone" if update.state.deleted else "room"
        yield ServerSentEvent(raw_data=html, event=kind, id=str(update.state.seq))


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
) -> Response:
    notice = None
    try:
        await rooms.answer(room, learner.id, item, choice)
    except RoomError as exc:
        notice = str(exc)
    if notice is None and not is_partial(request):
        return _see_other(RoomPaths(room.code).page + "#stage")
    hub = await rooms.hub(room.code, fresh=True)
    if hub is None:
        raise HTTPException(status_code=404, detail=NO_ROOM)
    if learner.id not in hub.state.participants:
        return _see_other(f"/join?code={room.code}")
    status = 409 if notice is not None else 200
    return await _learner_page(
        request, room, hub, learner.id, rooms, renderer, templates,
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
        response = _see_other(paths.host)
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
    hub = await rooms.hub(room.code, fresh=True)
    if hub is None:
        raise HTTPException(status_code=404, detail=NO_ROOM)
    ctx = _lesson(request, room)
    context = await renderer.host_context(ctx, rooms, hub.state)
    base = str(request.base_url).rstrip("/")
    settings = request.app.state.settings
    port = request.url.port or (443 if request.url.scheme == "https" else 80)
    join_url = f"{settings.public_url.rstrip('/') or base}/join?code={room.code}"
    context |= {
        "room": room,
        "seq": hub.state.seq,
        "lesson_title": ctx.lesson.meta.title,
        "join": join_info(
            join_url,
            request_host=request.url.hostname or "",
            listen_host="" if settings.public_url else settings.listen_host,
            port=port,
            lan=() if settings.public_url else lan_addresses(),
        ),
        "host_link": f"{base}{RoomPaths(room.code).host}?key={token}",
        "retention_days": rooms.retention.days,
        "notice": notice,
    }
    return templates.render(
        request, "rooms/host.html", context, blocks=("live",), status_code=status_code
    )


@router.get(
    "/rooms/{code}/host/events", name="room_host_events", response_class=EventSourceResponse
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
    ctx = _lesson(request, room)
    async for update in hub.follow(_since(last_event_id, since), None):
        html = await renderer.host_update(ctx, rooms, update.state)
        kind = "gone" if update.state.deleted else "room"
        yield ServerSentEvent(raw_data=html, event=kind, id=str(update.state.seq))


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
        change = rooms.open(room, item, traces)
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
    change: Any,
) -> Response:
    notice = None
    try:
        await change
    except RoomError as exc:
        notice = str(exc)
    if notice is None and not is_partial(request):
        return _see_other(RoomPaths(room.code).host)
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


# --- records -------------------------------------------------------------------------------


@router.get("/rooms/{code}/summary", name="room_summary")
async def room_summary(
    request: Request,
    room: RoomDep,
    learner: LearnerDep,
    rooms: RoomsDep,
    templates: TemplatesDep,
) -> Response:
    hub = await rooms.hub(room.code, fresh=True)
    if hub is None:
        raise HTTPException(status_code=404, detail=NO_ROOM)
    host = rooms.is_host(room, host_token(request))
    if not host and learner.id not in hub.state.participants:
        raise HTTPException(
            status_code=403, detail="Only the host and the room's learners see its summary."
        )
    ctx = _lesson(request, room)
    items, people = summary(
        ctx, rooms.items(room.lesson), hub.state, host=host, learner=None if host else learner.id
    )
    context = {
        "room": room,
        "host": host,
        "ended": hub.state.ended,
        "lesson_title": ctx.lesson.meta.title,
        "items": items,
        "people": people,
        "paths": RoomPaths(room.code),
    }
    return templates.render(request, "rooms/summary.html", context)


@router.get("/rooms/{code}/export.csv", name="room_export")
async def room_export(room: HostRoomDep, rooms: RoomsDep) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["nickname", "item", "answer", "correct", "answered_at"])
    for row in await rooms.export(room.code):
        writer.writerow(
            [
                _spreadsheet_safe(row.nickname),
                row.item,
                row.answer,
                "yes" if row.correct else "no",
                row.answered_at.isoformat(timespec="seconds"),
            ]
        )
    filename = f"loopscope-room-{room.code}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (a nickname is anyone's text)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
