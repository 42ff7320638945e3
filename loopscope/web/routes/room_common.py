"""What the room routes share: the dependencies that find a room and its host, the caps on live
streams, and ``RendererDep`` (the app's ``RoomRenderer``: ``loopscope.rooms.renderer``).

Host-only means: the request carries the room's host token in the ``loopscope_host`` cookie
(path-scoped to the room). Live updates are Server-Sent Events whose ``id:`` is the room's event
number: a page that reconnects (``Last-Event-ID``) or was rendered at ``since`` gets the current
state and the list of what it missed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Query, Request
from fastapi.sse import ServerSentEvent
from starlette.responses import RedirectResponse, Response

from loopscope.rooms.codes import CODE_PATTERN
from loopscope.rooms.hub import RoomHub
from loopscope.rooms.items import ITEM_KEY_PATTERN
from loopscope.rooms.network import lan_addresses
from loopscope.rooms.renderer import RoomRenderer
from loopscope.rooms.service import RoomService
from loopscope.rooms.state import RoomState
from loopscope.services import parts_of, services_of
from loopscope.storage.rooms import RoomRecord
from loopscope.views import LessonContext
from loopscope.views.rooms import (
    JoinInfo,
    join_info,
)
from loopscope.web.deps import LearnerDep, ServicesDep
from loopscope.web.templating import VARY

HOST_COOKIE = "loopscope_host"
NO_ROOM = "There is no room with this code. Check the code, or ask the host for it."
NOT_HOST = "Only the host of this room can do this. The host opens it with the host link."

Code = Annotated[str, Path(pattern=CODE_PATTERN)]
ItemKey = Annotated[str, Path(pattern=ITEM_KEY_PATTERN, max_length=96)]
Since = Annotated[int | None, Query(ge=0, le=2**62)]
LastEventId = Annotated[str | None, Header(alias="last-event-id", max_length=24)]


async def get_rooms(services: ServicesDep) -> RoomService:
    return services.rooms


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


async def fresh_hub(room: RoomRecord, rooms: RoomService) -> RoomHub:
    """The live room, checked against the database first (for a page about to render)."""
    hub = await rooms.hub(room.code, fresh=True)
    if hub is None:
        raise HTTPException(status_code=404, detail=NO_ROOM)
    return hub


async def require_participant(hub: HubDep, learner: LearnerDep) -> RoomHub:
    if learner.id not in hub.state.participants:
        raise HTTPException(status_code=403, detail="Join the room first.")
    return hub


async def stream_slot(code: Code, learner: LearnerDep, rooms: RoomsDep) -> AsyncIterator[None]:
    """Hold one of the learner's and the room's live streams while the stream lasts; 429 when
    either is at its cap (``room_streams_per_learner``, ``room_streams_per_room``)."""
    refusal = rooms.streams.take(learner.id, code)
    if refusal is not None:
        raise HTTPException(status_code=429, detail=refusal)
    try:
        yield
    finally:
        rooms.streams.give_back(learner.id, code)


# "request": held until the response has been sent (the whole stream), not until the
# endpoint returns its generator.
StreamSlot = Depends(stream_slot, scope="request")


def since_of(last_event_id: str | None, since: int | None) -> int | None:
    """What the page has seen: the browser's Last-Event-ID wins over the page's own number."""
    if last_event_id is not None and last_event_id.isdigit():
        return int(last_event_id)
    return since


def room_event(html: str, state: RoomState) -> ServerSentEvent:
    """One live update of a room page: numbered by the room's sequence (a reconnecting page
    sends it back as Last-Event-ID), and ``gone`` once the room is deleted."""
    kind = "gone" if state.deleted else "room"
    return ServerSentEvent(raw_data=html, event=kind, id=str(state.seq))


def lesson_of(request: Request, room: RoomRecord | RoomState) -> LessonContext:
    found = services_of(request.app).lessons.get(room.lesson)
    if found is None:
        raise HTTPException(status_code=404, detail="This room's lesson is no longer here.")
    return found


def join_url(request: Request, code: str) -> str:
    """The join link as learners use it: the public URL when set, else this request's base."""
    public = parts_of(request.app).settings.public_url
    base = public.rstrip("/") or str(request.base_url).rstrip("/")
    return f"{base}/join?code={code}"


def join_details(request: Request, code: str) -> JoinInfo:
    """The join link, its QR code and the network note, for the host's and presenter's pages."""
    settings = parts_of(request.app).settings
    port = request.url.port or (443 if request.url.scheme == "https" else 80)
    return join_info(
        join_url(request, code),
        request_host=request.url.hostname or "",
        listen_host="" if settings.public_url else settings.listen_host,
        port=port,
        lan=() if settings.public_url else lan_addresses(),
    )


def see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers={"Vary": VARY})


async def get_renderer(services: ServicesDep) -> RoomRenderer:
    return services.room_pages


RendererDep = Annotated[RoomRenderer, Depends(get_renderer)]
