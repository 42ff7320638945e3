"""Learners' own code on a room's code items: Try and Challenge, run on their own device.

    POST /rooms/{code}/items/{item}/code   field source: run it (Try) or check it (Challenge)
                                           -> 303 back to the room, where the result shows

The run goes through the same ``Practice`` as the Try and Challenge pages (the same sandbox,
rate limit, draft and attempt records: a check made in the room shows on the Challenge page
too). The room then counts the learner's latest result, for the host's live tally.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from starlette.responses import Response

from loopscope.rooms.service import RoomError
from loopscope.runs.practice import PracticeError
from loopscope.runs.service import SandboxOff, TraceFailed
from loopscope.views.rooms import RoomPaths
from loopscope.web.deps import LearnerDep, PracticeDep, TemplatesDep, WorkDep, allow_run
from loopscope.web.middleware.security import require_csrf_token
from loopscope.web.routes.room_common import (
    ItemKey,
    RendererDep,
    RoomDep,
    RoomsDep,
    fresh_hub,
    lesson_of,
    see_other,
)
from loopscope.web.routes.rooms import learner_page

router = APIRouter(include_in_schema=False)

SourceField = Annotated[
    str, Form(max_length=200_000)
]  # the real cap is in loopscope/runs/practice.py
NOT_CODE = "This item takes no code."


@router.post(
    "/rooms/{code}/items/{item}/code",
    name="room_code_run",
    dependencies=[Depends(require_csrf_token)],
)
async def room_code_run(
    request: Request,
    room: RoomDep,
    item: ItemKey,
    source: SourceField,
    learner: LearnerDep,
    rooms: RoomsDep,
    renderer: RendererDep,
    templates: TemplatesDep,
    work: WorkDep,
    practice: PracticeDep,
) -> Response:
    hub = await fresh_hub(room, rooms)
    if learner.id not in hub.state.participants:
        return see_other(f"/join?code={room.code}")
    found = rooms.item(room.lesson, item)
    if found.code is None:
        raise HTTPException(status_code=422, detail=NOT_CODE)
    ctx = lesson_of(request, room)
    code = source.replace("\r\n", "\n")
    notice = hub.state.refusal(item) if hub.state.ended or hub.state.current != item else None
    status = 409
    if notice is None:
        challenge = found.challenge
        place = "try" if challenge is None else f"challenge/{challenge.id}"
        example = ctx.lesson.meta.examples.get(found.example or "")
        call = example.call if challenge is None and example is not None else ""
        await work.save_draft(learner.id, room.lesson, place, code, call)
        await allow_run(request, learner)  # after the draft is kept: a 429 loses nothing
        try:
            if challenge is not None:
                attempt = await practice.check(learner.id, room.lesson, place, challenge, code)
                passed, ref = attempt.passed, attempt.id
                failed = tuple(check.id for check in attempt.checks if not check.passed)
            else:
                run = await practice.run(room.lesson, place, code, call)
                passed, failed, ref = run.trace.error is None, (), run.id
            await rooms.code_result(room, learner.id, item, passed=passed, failed=failed, ref=ref)
        except (PracticeError, TraceFailed) as exc:
            notice, status = str(exc), 422
        except SandboxOff as exc:
            notice, status = str(exc) or "Running code is switched off on this server.", 503
        except RoomError as exc:  # the host moved on while it ran
            notice = str(exc)
    if notice is None:
        return see_other(RoomPaths(room.code).page + "#stage")
    hub = await fresh_hub(room, rooms)
    return await learner_page(
        request, room, hub, learner.id, rooms, renderer, templates, work,
        notice=notice, status_code=status, code=code,
    )  # fmt: skip
