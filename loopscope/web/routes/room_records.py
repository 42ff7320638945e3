"""A room's records, in words: the summary (printable) and the CSV export.

GET  /rooms/{code}/summary      the summary (host; learners see revealed items, and
                                themselves)
GET  /rooms/{code}/export.csv   every answer and code result as CSV (host only, 403
                                otherwise): items, questions and answers in words, with each
                                item's correct rate
"""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from loopscope.views.room_records import EXPORT_HEADER, export_lines, summary
from loopscope.views.rooms import RoomPaths
from loopscope.web.deps import LearnerDep, TemplatesDep
from loopscope.web.routes.room_common import (
    HostRoomDep,
    RoomDep,
    RoomsDep,
    fresh_hub,
    host_token,
    lesson_of,
)

router = APIRouter(include_in_schema=False)

NOT_IN_ROOM = "Only the host and the room's learners see its summary."


@router.get("/rooms/{code}/summary", name="room_summary")
async def room_summary(
    request: Request,
    room: RoomDep,
    learner: LearnerDep,
    rooms: RoomsDep,
    templates: TemplatesDep,
) -> Response:
    hub = await fresh_hub(room, rooms)
    host = rooms.is_host(room, host_token(request))
    if not host and learner.id not in hub.state.participants:
        raise HTTPException(status_code=403, detail=NOT_IN_ROOM)
    ctx = lesson_of(request, room)
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
    hub = await fresh_hub(room, rooms)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADER)
    for line in export_lines(rooms.items(room.lesson), hub.state):
        writer.writerow([spreadsheet_safe(cell) for cell in line.cells()])
    filename = f"loopscope-room-{room.code}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (a nickname is anyone's text, and an
    answer's words can start with "-" or "=")."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
