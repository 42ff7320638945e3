"""``RoomRenderer``: the live parts of the room pages, rendered once per change and shared.

Built once by the app (``Services.room_pages``); the room routes and their live streams use it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2_fragments import render_block

from loopscope.records import RecordedRun
from loopscope.rooms.hub import RoomHub, Update
from loopscope.rooms.service import COUNTDOWN_CHOICES, RoomService
from loopscope.rooms.state import RoomState
from loopscope.runs.service import TraceService
from loopscope.views import LessonContext
from loopscope.views.rooms import (
    RoomPaths,
    activity,
    host_live,
    present_view,
    stage_view,
)
from loopscope.web.templating import Templates, fragment_cache


class RoomRenderer:
    """Renders the live parts of the room pages, for full pages and for the SSE streams.

    A learner's stage depends on the room and that learner's own answer (or code result) only,
    so one render is shared by every learner who gave the same answer (or none): an event
    reaching 300 learners costs a handful of renders, not 300. A countdown is rendered as its
    deadline, which the page counts down to by itself; the words rendered with it are for pages
    without JavaScript, which only ever see a fresh render.
    """

    def __init__(self, templates: Templates, traces: TraceService) -> None:
        self._env = templates.blocks.env
        self._traces = traces
        self._cache = fragment_cache(8 * 2**20)

    def _code_off(self) -> str | None:
        sandbox = self._traces.sandbox
        return None if sandbox.available else sandbox.reason

    async def run(self, state: RoomState) -> RecordedRun | None:
        if state.current is None:
            return None
        run_id = state.item(state.current).run_id
        return await self._traces.get(run_id) if run_id else None

    async def stage_context(
        self,
        ctx: LessonContext,
        rooms: RoomService,
        state: RoomState,
        learner: str,
        now: datetime,
        *,
        draft: str | None = None,
    ) -> dict[str, Any]:
        items = {item.key: item for item in rooms.items(state.lesson)}
        run = await self.run(state)
        return {
            "stage": stage_view(
                ctx, items, state, learner, run, now=now, draft=draft, code_off=self._code_off()
            ),
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
        code = state.code_results.get(state.current, {}).get(learner) if state.current else None
        missed = update.missed or ()
        key = (
            "learner",
            state.code,
            hub.public_seq,
            mine.choice if mine else None,
            (code.runs, code.ref) if code else None,
            tuple(event.seq for event in missed),
        )
        html = self._cache.get(key)
        if html is None:
            now = rooms.store.now()
            context = await self.stage_context(ctx, rooms, state, learner, now)
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
        live = host_live(
            ctx,
            rooms.items(state.lesson),
            state,
            await self.run(state),
            now=rooms.store.now(),
            countdown_choices=COUNTDOWN_CHOICES,
        )
        return {"live": live, "paths": RoomPaths(state.code)}

    async def host_update(self, ctx: LessonContext, rooms: RoomService, state: RoomState) -> str:
        key = ("host", state.code, state.seq)
        html = self._cache.get(key)
        if html is None:
            context = await self.host_context(ctx, rooms, state)
            html = render_block(self._env, "rooms/host.html", "live", csrf_token="", **context)
            self._cache[key] = html
        return html

    async def present_context(
        self, ctx: LessonContext, rooms: RoomService, state: RoomState
    ) -> dict[str, Any]:
        screen = present_view(
            ctx, rooms.items(state.lesson), state, await self.run(state), now=rooms.store.now()
        )
        return {"screen": screen, "paths": RoomPaths(state.code)}

    async def present_update(self, ctx: LessonContext, rooms: RoomService, state: RoomState) -> str:
        key = ("present", state.code, state.seq)
        html = self._cache.get(key)
        if html is None:
            context = await self.present_context(ctx, rooms, state)
            html = render_block(self._env, "rooms/present.html", "screen", **context)
            self._cache[key] = html
        return html
