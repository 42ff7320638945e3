"""The presenter's screen, for the projector.

    GET  /rooms/{code}/present          the question large, its options, "N of M answered" and
                                        the countdown; the answer and the distribution only
                                        after Reveal (host only)
    GET  /rooms/{code}/present/events   its live updates (SSE); without JavaScript, reload

It is the host's own view of the room (the host cookie), without a single control: what is on
the projector never shows a button, a nickname or a spoiler.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.responses import Response

from loopscope.web.deps import TemplatesDep
from loopscope.web.routes.room_common import (
    HostRoomDep,
    HubDep,
    LastEventId,
    RendererDep,
    RoomsDep,
    Since,
    StreamSlot,
    fresh_hub,
    join_details,
    lesson_of,
    room_event,
    since_of,
)

router = APIRouter(include_in_schema=False)


@router.get("/rooms/{code}/present", name="room_present")
async def room_present(
    request: Request,
    room: HostRoomDep,
    rooms: RoomsDep,
    renderer: RendererDep,
    templates: TemplatesDep,
) -> Response:
    hub = await fresh_hub(room, rooms)
    ctx = lesson_of(request, room)
    context = await renderer.present_context(ctx, rooms, hub.state)
    context |= {
        "room": room,
        "seq": hub.state.seq,
        "lesson_title": ctx.lesson.meta.title,
        "join": join_details(request, room.code),
        "now_ms": int(rooms.store.now().timestamp() * 1000),
    }
    return templates.render(request, "rooms/present.html", context, blocks=("screen",))


@router.get(
    "/rooms/{code}/present/events",
    name="room_present_events",
    response_class=EventSourceResponse,
    dependencies=[StreamSlot],
)
async def room_present_events(
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
        html = await renderer.present_update(ctx, rooms, update.state)
        yield room_event(html, update.state)
