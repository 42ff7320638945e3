"""A room's state and the numbered events that change it; ``apply`` is pure.

Every change to a room is an event with the room's next sequence number (``seq``), stored with
the change in one transaction. Each process keeps the state of the rooms it serves in memory and
applies events in order; the SSE ``id:`` of a message is the ``seq`` of the state it shows, so a
reconnecting page says exactly what it has seen.

    joined     a learner joined (host only)
    opened     the host opened an item: it is now the current item
    answered   a learner committed an answer (host only: learners see nothing before the reveal)
    revealed   the host revealed the current item's answers: voting on it is closed too
    locked     the host closed voting on an item
    timed      the host started a countdown on an item (optionally locking it at zero)
    coded      a learner ran or checked their own code on a code item (host only)
    ended      the host ended the session: no more answers
    deleted    the host deleted the room (never stored: the room's rows are gone)

A countdown that locks at zero is the server's truth: from its deadline on, ``refusal`` refuses
every answer, whether or not the ``locked`` event that follows has been stored yet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Literal

EventKind = Literal[
    "joined", "opened", "answered", "revealed", "locked", "ended", "deleted", "timed", "coded"
]
Audience = Literal["everyone", "host"]
AUDIENCE: dict[EventKind, Audience] = {
    "joined": "host",
    "opened": "everyone",
    "answered": "host",
    "revealed": "everyone",
    "locked": "everyone",
    "ended": "everyone",
    "deleted": "everyone",
    "timed": "everyone",
    "coded": "host",
}


@dataclass(frozen=True, slots=True)
class RoomEvent:
    seq: int
    kind: EventKind
    at: datetime
    item: str | None = None
    learner: str | None = None  # the participant's learner id (joined, answered)
    nickname: str | None = None  # joined
    choice: str | None = None  # answered
    correct: bool | None = None  # answered
    run_id: str | None = None  # opened, for an example item
    deadline: datetime | None = None  # timed: when the countdown reaches zero
    lock: bool | None = None  # timed: voting closes at zero
    failed: tuple[str, ...] | None = None  # coded: the checks the code failed
    ref: str | None = None  # coded: the learner's attempt (a check) or run (a Try)

    @property
    def public(self) -> bool:
        return AUDIENCE[self.kind] == "everyone"

    def seen_by(self, learner: str | None) -> bool:
        """Whether the page of ``learner`` (None: the host) is told about this event."""
        return learner is None or self.public

    def to_json(self) -> str:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        if self.deadline is not None:
            data["deadline"] = self.deadline.isoformat()
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> RoomEvent:
        data = json.loads(text)
        data["at"] = datetime.fromisoformat(data["at"])
        if data.get("deadline") is not None:
            data["deadline"] = datetime.fromisoformat(data["deadline"])
        if data.get("failed") is not None:
            data["failed"] = tuple(data["failed"])
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Participant:
    learner: str
    nickname: str
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class RoomAnswer:
    learner: str
    item: str
    choice: str
    correct: bool
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class CodeResult:
    """A learner's latest run or check of their own code on a code item."""

    learner: str
    item: str
    runs: int  # how many times they ran or checked it
    passed: bool  # every check passed (a Try: the run ended without an error)
    failed: tuple[str, ...]  # the ids of the checks the latest attempt failed
    ref: str  # the attempt id (a check) or the run id (a Try)
    at: datetime


@dataclass(frozen=True, slots=True)
class ItemProgress:
    revealed: bool = False
    locked: bool = False
    run_id: str | None = None
    deadline: datetime | None = None  # a countdown's zero
    lock_at_zero: bool = False

    @property
    def voting_open(self) -> bool:
        return not (self.revealed or self.locked)

    def timed_out(self, now: datetime) -> bool:
        """Whether a countdown that locks at zero has reached it."""
        return self.lock_at_zero and self.deadline is not None and now >= self.deadline


NOT_OPENED = ItemProgress()


@dataclass(frozen=True, slots=True)
class RoomState:
    code: str
    lesson: str
    seq: int
    current: str | None = None
    ended: bool = False
    deleted: bool = False
    items: Mapping[str, ItemProgress] = field(default_factory=dict)
    opened: tuple[str, ...] = ()  # item keys in the order they were first opened
    participants: Mapping[str, Participant] = field(default_factory=dict)  # by learner id
    answers: Mapping[str, Mapping[str, RoomAnswer]] = field(default_factory=dict)  # item -> learner
    code_results: Mapping[str, Mapping[str, CodeResult]] = field(default_factory=dict)

    def item(self, key: str) -> ItemProgress:
        return self.items.get(key, NOT_OPENED)

    def answer(self, item: str, learner: str) -> RoomAnswer | None:
        return self.answers.get(item, {}).get(learner)

    def refusal(self, item: str, now: datetime | None = None) -> str | None:
        """Why an answer to ``item`` would be refused (at ``now``), or None when it would count."""
        if self.ended:
            return "The session has ended, so answers are closed."
        if self.current != item:
            return "The host has moved on to another item; your answer was not counted."
        progress = self.item(item)
        if progress.revealed:
            return (
                "The answers have been revealed, so voting is closed; your answer was not counted."
            )
        if progress.locked or (now is not None and progress.timed_out(now)):
            return "Voting on this item is closed; your answer was not counted."
        return None


def apply(state: RoomState, event: RoomEvent) -> RoomState:
    """The state after ``event``; events must come in order (``event.seq == state.seq + 1``)."""
    assert event.seq == state.seq + 1, (state.seq, event.seq)
    moved = replace(state, seq=event.seq)
    if event.kind == "joined":
        assert event.learner is not None
        assert event.nickname is not None
        participant = Participant(event.learner, event.nickname, event.at)
        return replace(moved, participants={**state.participants, event.learner: participant})
    if event.kind == "opened":
        assert event.item is not None
        before = state.item(event.item)
        progress = replace(before, run_id=event.run_id or before.run_id)
        opened = state.opened if event.item in state.opened else (*state.opened, event.item)
        return replace(
            moved, current=event.item, items={**state.items, event.item: progress}, opened=opened
        )
    if event.kind == "answered":
        assert event.item is not None
        assert event.learner is not None
        assert event.choice is not None
        answer = RoomAnswer(event.learner, event.item, event.choice, bool(event.correct), event.at)
        given = {**state.answers.get(event.item, {}), event.learner: answer}
        return replace(moved, answers={**state.answers, event.item: given})
    if event.kind in ("revealed", "locked"):
        assert event.item is not None
        before = state.item(event.item)
        after = (
            replace(before, revealed=True)
            if event.kind == "revealed"
            else replace(before, locked=True)
        )
        return replace(moved, items={**state.items, event.item: after})
    if event.kind == "timed":
        assert event.item is not None
        before = state.item(event.item)
        after = replace(before, deadline=event.deadline, lock_at_zero=bool(event.lock))
        return replace(moved, items={**state.items, event.item: after})
    if event.kind == "coded":
        assert event.item is not None
        assert event.learner is not None
        earlier = state.code_results.get(event.item, {}).get(event.learner)
        result = CodeResult(
            event.learner,
            event.item,
            (earlier.runs if earlier else 0) + 1,
            bool(event.correct),
            event.failed or (),
            event.ref or "",
            event.at,
        )
        given_code = {**state.code_results.get(event.item, {}), event.learner: result}
        return replace(moved, code_results={**state.code_results, event.item: given_code})
    if event.kind == "ended":
        return replace(moved, ended=True)
    return replace(moved, deleted=True)
