"""Workshop rooms in the database: the tables and ``RoomStore``, their repository.

    rooms              one row per room: code, lesson, host token hash, the event counter
                       (``seq``), the current item, when it ended and was last active
    room_items         per room and opened item: revealed, locked, the recorded run to show
    room_participants  who joined, with a nickname unique per room (case-insensitively)
    room_answers       one answer per participant and item: the first one counts
    room_code_results  per participant and code item: their latest run or check, and how many
    room_events        every change, numbered by ``seq``: what a process that missed a broadcast
                       (or a page that reconnects) reads to catch up

Every write bumps ``rooms.seq`` first, holding the room's row lock (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite locks the whole file), and checks the rules inside that transaction: an answer
to a locked item can never slip in between the check and the insert, whichever process serves it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    false,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from loopscope.rooms.state import (
    CodeResult,
    EventKind,
    ItemProgress,
    Participant,
    RoomAnswer,
    RoomEvent,
    RoomState,
)
from loopscope.storage.tables import ID, Base

CODE = String(16)
ITEM = String(96)


class RoomRow(Base):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(CODE, unique=True)
    lesson: Mapped[str] = mapped_column(ID)
    host_token_hash: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    current_item: Mapped[str | None] = mapped_column(ITEM)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RoomItemRow(Base):
    __tablename__ = "room_items"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[str] = mapped_column(ITEM, primary_key=True)
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    run_id: Mapped[str | None] = mapped_column(ID)
    first_opened_seq: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    lock_at_zero: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class RoomCodeRow(Base):
    __tablename__ = "room_code_results"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    learner_id: Mapped[str] = mapped_column(ID, primary_key=True)
    item: Mapped[str] = mapped_column(ITEM, primary_key=True)
    runs: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    failed: Mapped[str] = mapped_column(Text)  # check ids, one per line
    ref: Mapped[str] = mapped_column(ID)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoomParticipantRow(Base):
    __tablename__ = "room_participants"
    __table_args__ = (
        UniqueConstraint("room_id", "learner_id"),
        UniqueConstraint("room_id", "nickname_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[str] = mapped_column(ID)
    nickname: Mapped[str] = mapped_column(String(64))
    nickname_key: Mapped[str] = mapped_column(String(128))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoomAnswerRow(Base):
    __tablename__ = "room_answers"
    __table_args__ = (UniqueConstraint("room_id", "learner_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[str] = mapped_column(ID)
    item: Mapped[str] = mapped_column(ITEM)
    choice: Mapped[str] = mapped_column(ID)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoomEventRow(Base):
    __tablename__ = "room_events"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(Text)  # RoomEvent.to_json()


@dataclass(frozen=True, slots=True)
class RoomRecord:
    id: int
    code: str
    lesson: str
    host_token_hash: str
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class Refused:
    """A write the room's rules did not allow; ``message`` says why, for the learner or host."""

    message: str


class CodeTaken(Exception):
    """Another room has this code (the caller draws another)."""


class NicknameTaken(Exception):
    """Someone in the room already uses this nickname."""


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _progress(row: RoomItemRow) -> ItemProgress:
    deadline = _utc(row.deadline) if row.deadline else None
    return ItemProgress(row.revealed, row.locked, row.run_id, deadline, row.lock_at_zero)


def _code_result(row: RoomCodeRow) -> CodeResult:
    failed = tuple(row.failed.split("\n")) if row.failed else ()
    return CodeResult(
        row.learner_id, row.item, row.runs, row.passed, failed, row.ref, _utc(row.updated_at)
    )


def _record(row: RoomRow) -> RoomRecord:
    return RoomRecord(
        row.id,
        row.code,
        row.lesson,
        row.host_token_hash,
        _utc(row.created_at),
        _utc(row.updated_at),
        _utc(row.ended_at) if row.ended_at else None,
    )


class RoomStore:
    """Rooms in the database; every method is one transaction and returns frozen records."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime]) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.clock = clock

    def now(self) -> datetime:
        return self.clock()

    async def create(self, code: str, lesson: str, token_hash: str) -> RoomRecord:
        now = self.clock()
        row = RoomRow(
            code=code,
            lesson=lesson,
            host_token_hash=token_hash,
            seq=0,
            current_item=None,
            created_at=now,
            updated_at=now,
            ended_at=None,
        )
        try:
            async with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            raise CodeTaken(code) from None
        return _record(row)

    async def room(self, code: str) -> RoomRecord | None:
        async with self._sessions() as session:
            row = (await session.scalars(select(RoomRow).where(RoomRow.code == code))).first()
        return _record(row) if row is not None else None

    async def seq(self, code: str) -> int | None:
        async with self._sessions() as session:
            return await session.scalar(select(RoomRow.seq).where(RoomRow.code == code))

    async def load(self, code: str) -> RoomState | None:
        """The room's whole state, read consistently (the row lock keeps writers out)."""
        async with self._sessions.begin() as session:
            room = (
                await session.scalars(
                    select(RoomRow).where(RoomRow.code == code).with_for_update(read=True)
                )
            ).first()
            if room is None:
                return None
            items = (
                await session.scalars(
                    select(RoomItemRow)
                    .where(RoomItemRow.room_id == room.id)
                    .order_by(RoomItemRow.first_opened_seq)
                )
            ).all()
            people = (
                await session.scalars(
                    select(RoomParticipantRow)
                    .where(RoomParticipantRow.room_id == room.id)
                    .order_by(RoomParticipantRow.id)
                )
            ).all()
            answers = (
                await session.scalars(select(RoomAnswerRow).where(RoomAnswerRow.room_id == room.id))
            ).all()
            code_rows = (
                await session.scalars(select(RoomCodeRow).where(RoomCodeRow.room_id == room.id))
            ).all()
        results: dict[str, dict[str, CodeResult]] = {}
        for c in code_rows:
            results.setdefault(c.item, {})[c.learner_id] = _code_result(c)
        by_item: dict[str, dict[str, RoomAnswer]] = {}
        for a in answers:
            by_item.setdefault(a.item, {})[a.learner_id] = RoomAnswer(
                a.learner_id, a.item, a.choice, a.correct, _utc(a.answered_at)
            )
        return RoomState(
            code=room.code,
            lesson=room.lesson,
            seq=room.seq,
            current=room.current_item,
            ended=room.ended_at is not None,
            items={i.item: _progress(i) for i in items},
            opened=tuple(i.item for i in items),
            participants={
                p.learner_id: Participant(p.learner_id, p.nickname, _utc(p.joined_at))
                for p in people
            },
            answers=by_item,
            code_results=results,
        )

    async def events_after(self, code: str, seq: int) -> list[RoomEvent]:
        query = (
            select(RoomEventRow.event)
            .join(RoomRow, RoomRow.id == RoomEventRow.room_id)
            .where(RoomRow.code == code, RoomEventRow.seq > seq)
            .order_by(RoomEventRow.seq)
        )
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [RoomEvent.from_json(text) for text in rows]

    # --- changes: each bumps seq and stores its event in the same transaction ----------------

    async def join(
        self, code: str, learner: str, nickname: str, key: str
    ) -> RoomEvent | Participant | Refused:
        """The ``joined`` event; the existing participant when this learner is in already."""
        async with self._sessions.begin() as session:
            room = await self._lock(session, code)
            if room is None:
                return Refused("There is no room with this code.")
            found = (
                await session.scalars(
                    select(RoomParticipantRow).where(
                        RoomParticipantRow.room_id == room.id,
                        RoomParticipantRow.learner_id == learner,
                    )
                )
            ).first()
            if found is not None:
                return Participant(found.learner_id, found.nickname, _utc(found.joined_at))
            taken = await session.scalar(
                select(RoomParticipantRow.id).where(
                    RoomParticipantRow.room_id == room.id, RoomParticipantRow.nickname_key == key
                )
            )
            if taken is not None:
                raise NicknameTaken(nickname)
            now = self.clock()
            session.add(
                RoomParticipantRow(
                    room_id=room.id,
                    learner_id=learner,
                    nickname=nickname,
                    nickname_key=key,
                    joined_at=now,
                )
            )
            return self._event(session, room, "joined", learner=learner, nickname=nickname)

    async def open(self, code: str, item: str, run_id: str | None) -> RoomEvent | Refused:
        async with self._sessions.begin() as session:
            room = await self._lock(session, code)
            if room is None:
                return Refused("There is no room with this code.")
            if room.ended_at is not None:
                return Refused("The session has ended.")
            row = await session.get(RoomItemRow, (room.id, item))
            event = self._event(session, room, "opened", item=item, run_id=run_id)
            if row is None:
                session.add(
                    RoomItemRow(
                        room_id=room.id,
                        item=item,
                        revealed=False,
                        locked=False,
                        run_id=run_id,
                        first_opened_seq=event.seq,
                    )
                )
            elif run_id is not None:
                row.run_id = run_id
            room.current_item = item
            return event

    async def close_item(
        self, code: str, item: str, kind: Literal["revealed", "locked"]
    ) -> RoomEvent | Refused:
        async with self._sessions.begin() as session:
            room = await self._lock(session, code)
            if room is None:
                return Refused("There is no room with this code.")
            row = await session.get(RoomItemRow, (room.id, item))
            if row is None:
                return Refused("Open this item first.")
            if kind == "revealed":
                if row.revealed:
                    return Refused("This item is revealed already.")
                row.revealed = True
            else:
                if row.locked or row.revealed:
                    return Refused("Voting on this item is closed already.")
                row.locked = True
            return self._event(session, room, kind, item=item)

    async def countdown(
        self, code: str, item: str, deadline: datetime, *, lock: bool
    ) -> RoomEvent | Refused:
        """The ``timed`` event: the item's countdown now ends at ``deadline``."""
        async with self._sessions.begin() as session:
            room = await self._lock(session, code)
            if room is None:
                return Refused("There is no room with this code.")
            row = await session.get(RoomItemRow, (room.id, item))
            if row is None or room.current_item != item:
                return Refused("Open this item first.")
            if room.ended_at is not None or row.revealed or row.locked:
                return Refused("Voting on this item is closed already.")
            row.deadline = deadline
            row.lock_at_zero = lock
            return self._event(session, room, "timed", item=item, deadline=deadline, lock=lock)

    async def overdue(self, now: datetime) -> list[tuple[str, str]]:
        """(room code, item) of every countdown past zero that should lock and has not."""
        query = (
            select(RoomRow.code, RoomItemRow.item)
            .join(RoomRow, RoomRow.id == RoomItemRow.room_id)
            .where(
                RoomItemRow.deadline <= now,
                RoomItemRow.lock_at_zero.is_(True),
                RoomItemRow.locked.is_(False),
                RoomItemRow.revealed.is_(False),
            )
        )
        async with self._sessions() as session:
            return [(c, i) for c, i in (await session.execute(query)).all()]

    async def code_result(
        self, code: str, learner: str, item: str, *, passed: bool, failed: tuple[str, ...], ref: str
    ) -> RoomEvent | Refused:
        """The ``coded`` event: a participant ran or checked their code on the open code item."""
        async with self._sessions.begin() as session:
            room = await self._lock(session, code)
            if room is None:
                return Refused("There is no room with this code.")
            if room.ended_at is not None:
                return Refused("The session has ended.")
            if room.current_item != item:
                return Refused("The host has moved on to another item; your run was not counted.")
            now = self.clock()
            row = await session.get(RoomCodeRow, (room.id, learner, item))
            if row is None:
                session.add(
                    RoomCodeRow(
                        room_id=room.id,
                        learner_id=learner,
                        item=item,
                        runs=1,
                        passed=passed,
                        failed="\n".join(failed),
                        ref=ref,
                        updated_at=now,
                    )
                )
            else:
                row.runs += 1
                row.passed = passed
                row.failed = "\n".join(failed)
                row.ref = ref
                row.updated_at = now
            return self._event(
                session, room, "coded", item=item, learner=learner, correct=passed,
                failed=failed, ref=ref,
            )  # fmt: skip

    async def end(self, code: str) -> RoomEvent | Refused:
        async with self._sessions.begin() as session:
            room = await self._lock(session, code)
            if room is None:
                return Refused("There is no room with this code.")
            if room.ended_at is not None:
                return Refused("The session has ended already.")
            room.ended_at = self.clock()
            return self._event(session, room, "ended")

    async def answer(
        self, code: str, learner: str, item: str, choice: str, *, correct: bool
    ) -> RoomEvent | RoomAnswer | Refused:
        """The ``answered`` event; the learner's earlier answer when there is one (it counts);
        ``Refused`` when voting on the item is not open."""
        async with self._sessions.begin() as session:
            room = await self._lock(session, code)
            if room is None:
                return Refused("There is no room with this code.")
            joined = await session.scalar(
                select(RoomParticipantRow.id).where(
                    RoomParticipantRow.room_id == room.id,
                    RoomParticipantRow.learner_id == learner,
                )
            )
            if joined is None:
                return Refused("Join the room before answering.")
            earlier = (
                await session.scalars(
                    select(RoomAnswerRow).where(
                        RoomAnswerRow.room_id == room.id,
                        RoomAnswerRow.learner_id == learner,
                        RoomAnswerRow.item == item,
                    )
                )
            ).first()
            if earlier is not None:
                return RoomAnswer(
                    learner, item, earlier.choice, earlier.correct, _utc(earlier.answered_at)
                )
            row = await session.get(RoomItemRow, (room.id, item))
            state = RoomState(
                code=room.code,
                lesson=room.lesson,
                seq=room.seq,
                current=room.current_item,
                ended=room.ended_at is not None,
                items={item: _progress(row)} if row else {},
            )
            refusal = state.refusal(item, self.clock())
            if refusal is not None:
                return Refused(refusal)
            now = self.clock()
            session.add(
                RoomAnswerRow(
                    room_id=room.id,
                    learner_id=learner,
                    item=item,
                    choice=choice,
                    correct=correct,
                    answered_at=now,
                )
            )
            return self._event(
                session, room, "answered", item=item, learner=learner, choice=choice,
                correct=correct,
            )  # fmt: skip

    async def delete(self, code: str) -> bool:
        async with self._sessions.begin() as session:
            room = await self._lock(session, code)
            if room is None:
                return False
            await self._delete_rooms(session, [room.id])
        return True

    async def purge(self, before: datetime) -> int:
        """Delete the rooms with no activity since ``before``; how many were deleted."""
        async with self._sessions.begin() as session:
            ids = list(
                (await session.scalars(select(RoomRow.id).where(RoomRow.updated_at < before))).all()
            )
            await self._delete_rooms(session, ids)
        return len(ids)

    # --- inside -------------------------------------------------------------------------------

    async def _lock(self, session: AsyncSession, code: str) -> RoomRow | None:
        query = select(RoomRow).where(RoomRow.code == code).with_for_update()
        return (await session.scalars(query)).first()

    def _event(
        self,
        session: AsyncSession,
        room: RoomRow,
        kind: EventKind,
        *,
        item: str | None = None,
        learner: str | None = None,
        nickname: str | None = None,
        choice: str | None = None,
        correct: bool | None = None,
        run_id: str | None = None,
        deadline: datetime | None = None,
        lock: bool | None = None,
        failed: tuple[str, ...] | None = None,
        ref: str | None = None,
    ) -> RoomEvent:
        now = self.clock()
        room.seq += 1
        room.updated_at = now
        event = RoomEvent(
            room.seq, kind, now, item, learner, nickname, choice, correct, run_id,
            deadline, lock, failed, ref,
        )  # fmt: skip
        session.add(RoomEventRow(room_id=room.id, seq=event.seq, event=event.to_json()))
        return event

    async def _delete_rooms(self, session: AsyncSession, ids: list[int]) -> None:
        if not ids:
            return
        # Children first: SQLite enforces ON DELETE CASCADE only with a pragma.
        for table in (RoomEventRow, RoomAnswerRow, RoomCodeRow, RoomParticipantRow, RoomItemRow):
            await session.execute(delete(table).where(table.room_id.in_(ids)))
        await session.execute(delete(RoomRow).where(RoomRow.id.in_(ids)))
