"""``RoomService``: what the room routes ask for. Every change is stored with its numbered event
in one transaction, applied to this process's live copy of the room, then broadcast to the other
processes.

    RoomError            a change the room's rules refuse (its message is for the person)
     └── NicknameInUse   someone in the room has this nickname already
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, TypeVar

from lessons import Catalog, Lesson
from loopscope.rooms.broadcast import Broadcast, LocalBroadcast, RedisBroadcast
from loopscope.rooms.codes import (
    check_nickname,
    clean_nickname,
    hash_token,
    new_code,
    new_host_token,
    nickname_key,
    token_matches,
)
from loopscope.rooms.hub import Hubs, RoomHub
from loopscope.rooms.items import RoomItem, find_item, grade_item, room_items
from loopscope.rooms.state import Participant, RoomAnswer, RoomEvent
from loopscope.rooms.streams import StreamCaps
from loopscope.runs.service import TraceService, TraceServiceError
from loopscope.settings import Settings
from loopscope.storage import Store
from loopscope.storage.rooms import (
    CodeTaken,
    NicknameTaken,
    Refused,
    RoomRecord,
    RoomStore,
)

log = logging.getLogger("loopscope.rooms")

T = TypeVar("T")
TICK_S: Final = 5.0
PURGE_EVERY_S: Final = 3600.0
COUNTDOWN_CHOICES: Final = (10, 15, 30, 45, 60, 90, 120, 180, 300)


class RoomError(Exception):
    """A change the room's rules refuse; the message says why."""


class NicknameInUse(RoomError):
    pass


@dataclass(frozen=True, slots=True)
class NewRoom:
    room: RoomRecord
    host_token: str


@dataclass(frozen=True, slots=True)
class Accepted:
    """An answer that counts: the new one, or the one given earlier (``repeated``)."""

    answer: RoomAnswer
    repeated: bool


class RoomService:
    def __init__(
        self,
        store: RoomStore,
        broadcast: Broadcast,
        lessons: dict[str, Lesson],
        traces: TraceService,
        *,
        retention: timedelta,
        streams: StreamCaps | None = None,
    ) -> None:
        self.store = store
        self._traces = traces  # an opened example's run: recorded once, shown to everyone
        self.streams = streams or StreamCaps(per_learner=8, per_room=5000)
        self.hubs = Hubs(store)
        self._broadcast = broadcast
        self._lessons = lessons
        self._items = {slug: room_items(lesson) for slug, lesson in lessons.items()}
        self.retention = retention
        self._writes: dict[str, asyncio.Lock] = {}
        self._records: dict[str, RoomRecord] = {}
        self._task: asyncio.Task[None] | None = None
        self._timers: dict[tuple[str, str], asyncio.Task[None]] = {}

    # --- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        await self._broadcast.start(self.hubs.deliver, self.hubs.sync_all)
        await self.purge()
        self._task = asyncio.create_task(self._periodic())

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for timer in list(self._timers.values()):
            timer.cancel()
        self._timers.clear()
        await self._broadcast.aclose()

    async def _periodic(self) -> None:
        since_purge = 0.0
        while True:
            await asyncio.sleep(TICK_S)
            try:
                await self.hubs.tick()
                await self.lock_overdue()
                since_purge += TICK_S
                if since_purge >= PURGE_EVERY_S:
                    since_purge = 0.0
                    await self.purge()
            except Exception:  # a database hiccup must not end the loop
                log.exception("room upkeep failed")

    async def lock_overdue(self) -> int:
        """Lock every item whose countdown reached zero, in any room and whoever started it:
        a timer of this process does it on time, this catches a restart or another process."""
        locked = 0
        for code, key in await self.store.overdue(self.store.now()):
            with contextlib.suppress(RoomError):
                await self._write(code, self.store.close_item(code, key, "locked"))
                locked += 1
        return locked

    async def purge(self) -> int:
        """Delete the rooms with no activity for the retention period."""
        count = await self.store.purge(self.store.now() - self.retention)
        if count:
            log.info("deleted %d room(s) past the retention period", count)
        return count

    # --- reading ------------------------------------------------------------------------------

    def items(self, lesson: str) -> tuple[RoomItem, ...]:
        return self._items[lesson]

    def item(self, lesson: str, key: str) -> RoomItem:
        return find_item(self._items[lesson], key)

    async def room(self, code: str) -> RoomRecord | None:
        """The room's record; while this process follows the room live, without a query (the
        record never changes, and a deletion reaches the live room)."""
        hub = self.hubs.peek(code)
        cached = self._records.get(code)
        if cached is not None and hub is not None and not hub.state.deleted:
            return cached
        found = await self.store.room(code)
        if found is None:
            self._records.pop(code, None)
        else:
            self._records[code] = found
        return found

    async def hub(self, code: str, *, fresh: bool = False) -> RoomHub | None:
        """The live room; ``fresh`` checks the database first (for a page about to render)."""
        hub = await self.hubs.get(code)
        if hub is not None and fresh:
            await hub.sync()
        return hub if hub is not None and not hub.state.deleted else None

    def is_host(self, room: RoomRecord, token: str | None) -> bool:
        return token_matches(token, room.host_token_hash)

    # --- changes ------------------------------------------------------------------------------

    async def create(self, lesson: str) -> NewRoom:
        if lesson not in self._lessons:
            raise RoomError("There is no lesson with this name.")
        token = new_host_token()
        for _ in range(20):
            try:
                room = await self.store.create(new_code(), lesson, hash_token(token))
            except CodeTaken:
                continue
            return NewRoom(room, token)
        raise RoomError("Could not find a free room code; try again.")

    async def join(self, code: str, learner: str, nickname: str) -> Participant:
        problem = check_nickname(nickname)
        if problem is not None:
            raise RoomError(problem)
        shown = clean_nickname(nickname)
        try:
            result = await self._write(
                code, self.store.join(code, learner, shown, nickname_key(shown))
            )
        except NicknameTaken:
            raise NicknameInUse(
                f"Someone in this room is already called “{shown}”. Choose another nickname."
            ) from None
        if isinstance(result, Participant):
            return result
        return Participant(learner, shown, result.at)

    async def open(self, room: RoomRecord, key: str) -> None:
        item = self.item(room.lesson, key)
        run_id = None
        if item.example is not None and item.shows_run:
            # Recorded once (or reused) by the trace service: everyone sees the same run.
            try:
                run = await self._traces.record(self._lessons[room.lesson], item.example)
            except TraceServiceError:
                if item.kind == "example":  # the run is the item: the host is told why
                    raise
                run = None  # a question opens without its table rather than not at all
                log.warning("opened %s without its traced table", key, exc_info=True)
            run_id = run.id if run is not None else None
        await self._write(room.code, self.store.open(room.code, key, run_id))

    async def reveal(self, room: RoomRecord, key: str) -> None:
        self.item(room.lesson, key)
        await self._write(room.code, self.store.close_item(room.code, key, "revealed"))

    async def lock(self, room: RoomRecord, key: str) -> None:
        self.item(room.lesson, key)
        await self._write(room.code, self.store.close_item(room.code, key, "locked"))

    async def countdown(self, room: RoomRecord, key: str, seconds: int, *, lock: bool) -> datetime:
        """Start (or restart) the open item's countdown; at zero the server locks it if asked."""
        self.item(room.lesson, key)
        if seconds not in COUNTDOWN_CHOICES:
            raise RoomError("Choose one of the countdown lengths offered.")
        deadline = self.store.now() + timedelta(seconds=seconds)
        await self._write(room.code, self.store.countdown(room.code, key, deadline, lock=lock))
        timer = self._timers.pop((room.code, key), None)
        if timer is not None:
            timer.cancel()
        if lock:
            self._timers[(room.code, key)] = asyncio.create_task(
                self._lock_at(room.code, key, deadline)
            )
        return deadline

    async def _lock_at(self, code: str, key: str, deadline: datetime) -> None:
        try:
            await asyncio.sleep(max((deadline - self.store.now()).total_seconds(), 0.0))
            with contextlib.suppress(RoomError):
                await self._write(code, self.store.close_item(code, key, "locked"))
        except asyncio.CancelledError:
            raise
        except Exception:  # the periodic check locks it instead
            log.exception("could not lock %s in room %s at zero", key, code)
        finally:
            if self._timers.get((code, key)) is asyncio.current_task():
                del self._timers[(code, key)]

    async def code_result(
        self, room: RoomRecord, learner: str, key: str, *, passed: bool, failed: tuple[str, ...],
        ref: str,
    ) -> None:  # fmt: skip
        """Count a participant's run or check of their own code on the open code item."""
        item = self.item(room.lesson, key)
        if item.code is None:
            raise RoomError("This item takes no code.")
        change = self.store.code_result(
            room.code, learner, key, passed=passed, failed=failed, ref=ref
        )
        await self._write(room.code, change)

    async def end(self, room: RoomRecord) -> None:
        await self._write(room.code, self.store.end(room.code))

    async def answer(self, room: RoomRecord, learner: str, key: str, choice: str) -> Accepted:
        """Count an answer, or raise ``RoomError`` saying why it was not counted."""
        item = self.item(room.lesson, key)
        if not item.answerable:
            raise RoomError("This item takes no answer.")
        correct = grade_item(item, choice)
        result = await self._write(
            room.code, self.store.answer(room.code, learner, key, choice, correct=correct)
        )
        if isinstance(result, RoomAnswer):
            return Accepted(result, repeated=True)
        assert result.learner is not None
        assert result.choice is not None
        return Accepted(
            RoomAnswer(result.learner, key, result.choice, bool(result.correct), result.at),
            repeated=False,
        )

    async def delete(self, room: RoomRecord) -> None:
        async with self._write_lock(room.code):
            await self.store.delete(room.code)
        hub = self.hubs.peek(room.code)
        if hub is not None:
            await hub.sync()  # applies "deleted": the pages following it are told
        # The other processes check the database when told (a deleted room has no seq left).
        await self._broadcast.publish(room.code, RoomEvent(0, "deleted", self.store.now()))

    # --- inside -------------------------------------------------------------------------------

    def _write_lock(self, code: str) -> asyncio.Lock:
        # One writer per room per process: SQLite would otherwise answer "database is locked"
        # to concurrent writers; on PostgreSQL the row lock already orders the processes.
        lock = self._writes.get(code)
        if lock is None:
            lock = self._writes[code] = asyncio.Lock()
        return lock

    async def _write(self, code: str, change: Awaitable[RoomEvent | T | Refused]) -> RoomEvent | T:
        """Run one change under the room's write lock; apply and broadcast its event."""
        async with self._write_lock(code):
            result = await change
        if isinstance(result, Refused):
            raise RoomError(result.message)
        if isinstance(result, RoomEvent):
            hub = self.hubs.peek(code)
            if hub is not None:
                await hub.receive(result)
            await self._broadcast.publish(code, result)
        return result


def room_service(
    settings: Settings, store: Store, catalog: Catalog, traces: TraceService
) -> RoomService:
    """The app's service: Redis pub/sub when ``redis_url`` is set, else one process."""
    broadcast: Broadcast = (
        RedisBroadcast(settings.redis_url) if settings.redis_url else LocalBroadcast()
    )
    return RoomService(
        RoomStore(store.engine, clock=store.clock),
        broadcast,
        {lesson.slug: lesson for lesson in catalog.lessons},
        traces,
        retention=timedelta(days=settings.room_retention_days),
        streams=StreamCaps(
            per_learner=settings.room_streams_per_learner,
            per_room=settings.room_streams_per_room,
        ),
    )
