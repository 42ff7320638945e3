"""Room rules without HTTP: codes and nicknames, the pure state, and the live hub."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from loopscope.rooms.codes import (
    check_nickname,
    hash_token,
    new_code,
    nickname_key,
    normalise_code,
    token_matches,
)
from loopscope.rooms.hub import RoomHub
from loopscope.rooms.state import RoomEvent, RoomState, apply
from loopscope.storage.rooms import RoomStore
from loopscope.storage.tables import Base

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_codes_read_back_loosely_and_never_hold_look_alikes() -> None:
    for _ in range(200):
        code = new_code()
        assert normalise_code(code.lower()) == code
        assert not set(code) & set("01OIL")
    assert normalise_code("AB-C 2 3K") == "ABC23K"
    assert normalise_code("ABC23") is None
    assert normalise_code("ABCO23") is None  # O is never in a code


def test_nicknames_compare_without_case_or_width_and_refuse_control_characters() -> None:
    assert nickname_key("\uff21da") == nickname_key("ADA") == nickname_key(" ada ")
    assert nickname_key("Ada") != nickname_key("Adam")
    assert check_nickname("Ada") is None
    assert check_nickname("a" * 25) is not None
    assert check_nickname("A\u200bda") is not None  # an invisible character
    assert check_nickname("A\nda") is None  # white space is folded, not refused


def test_a_host_token_is_checked_against_its_hash_only() -> None:
    stored = hash_token("secret-token")
    assert token_matches("secret-token", stored)
    assert not token_matches("secret-tokeN", stored)
    assert not token_matches(None, stored)
    assert "secret-token" not in stored


def _event(seq: int, kind: str, **fields: object) -> RoomEvent:
    return RoomEvent(seq, kind, NOW, **fields)  # type: ignore[arg-type]


def test_apply_follows_the_room_and_refuses_answers_once_closed() -> None:
    state = RoomState("ABCDEF", "lesson", 0)
    state = apply(state, _event(1, "joined", learner="l1", nickname="Ada"))
    state = apply(state, _event(2, "opened", item="prompt:p"))
    assert state.refusal("prompt:p") is None
    assert state.refusal("prompt:q") is not None  # not the current item
    state = apply(state, _event(3, "answered", item="prompt:p", learner="l1", choice="a"))
    assert state.answer("prompt:p", "l1") is not None
    locked = apply(state, _event(4, "locked", item="prompt:p"))
    assert "closed" in (locked.refusal("prompt:p") or "")
    revealed = apply(state, _event(4, "revealed", item="prompt:p"))
    assert "revealed" in (revealed.refusal("prompt:p") or "")
    ended = apply(state, _event(4, "ended"))
    assert "ended" in (ended.refusal("prompt:p") or "")
    with pytest.raises(AssertionError):
        apply(state, _event(5, "locked", item="prompt:p"))  # seq 4 is missing


def test_events_survive_json() -> None:
    event = _event(7, "answered", item="recall:r1", learner="l", choice="b", correct=True)
    assert RoomEvent.from_json(event.to_json()) == event


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[RoomStore]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'rooms.sqlite3'}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield RoomStore(engine, clock=lambda: NOW)
    await engine.dispose()


@pytest.mark.anyio
async def test_a_hub_that_misses_events_reads_them_from_the_database(store: RoomStore) -> None:
    await store.create("ABCDEF", "lesson", hash_token("t"))
    state = await store.load("ABCDEF")
    assert state is not None
    hub = RoomHub(state, store)
    joined = await store.join("ABCDEF", "l1", "Ada", "ada")
    opened = await store.open("ABCDEF", "prompt:p", None)
    answered = await store.answer("ABCDEF", "l1", "prompt:p", "a", correct=False)
    assert isinstance(joined, RoomEvent)
    assert isinstance(opened, RoomEvent)
    assert isinstance(answered, RoomEvent)
    await hub.receive(answered)  # the two before it were lost on the way
    assert hub.state.seq == 3
    assert hub.state.current == "prompt:p"
    assert hub.state.answer("prompt:p", "l1") is not None
    await hub.receive(opened)  # a late duplicate changes nothing
    assert hub.state.seq == 3
    assert [e.seq for e in hub.missed(0, "l1") or ()] == [2]  # the learner sees "opened" only
    assert [e.seq for e in hub.missed(0, None) or ()] == [1, 2, 3]


@pytest.mark.anyio
async def test_learners_wake_for_public_events_only(store: RoomStore) -> None:
    await store.create("ABCDEF", "lesson", hash_token("t"))
    state = await store.load("ABCDEF")
    assert state is not None
    hub = RoomHub(state, store)
    joined = await store.join("ABCDEF", "l1", "Ada", "ada")
    assert isinstance(joined, RoomEvent)
    await hub.receive(joined)
    learner = hub.follow(hub.state.seq, "l1")
    host = hub.follow(hub.state.seq, None)

    async def next_of(stream: object) -> int:
        update = await stream.__anext__()  # type: ignore[attr-defined]
        return int(update.state.seq)

    learner_next = asyncio.create_task(next_of(learner))
    host_next = asyncio.create_task(next_of(host))
    opened = await store.open("ABCDEF", "prompt:p", None)
    assert isinstance(opened, RoomEvent)
    await hub.receive(opened)
    assert await asyncio.wait_for(learner_next, 2) == opened.seq
    assert await asyncio.wait_for(host_next, 2) == opened.seq
    learner_again = asyncio.create_task(next_of(learner))
    answer = await store.answer("ABCDEF", "l1", "prompt:p", "a", correct=True)
    assert isinstance(answer, RoomEvent)
    await hub.receive(answer)
    assert await asyncio.wait_for(next_of(host), 2) == answer.seq
    revealed = await store.close_item("ABCDEF", "prompt:p", "revealed")
    assert isinstance(revealed, RoomEvent)
    await hub.receive(revealed)
    # The learner's next update is the reveal: the answer before it (and the awaits since, which
    # let a woken learner run) gave the learner nothing.
    assert await asyncio.wait_for(learner_again, 2) == revealed.seq
    await learner.aclose()  # type: ignore[attr-defined]
    await host.aclose()  # type: ignore[attr-defined]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_a_countdown_locks_at_zero_in_the_rules_and_survives_json() -> None:
    state = RoomState("ABCDEF", "lesson", 0)
    state = apply(state, _event(1, "opened", item="prompt:p"))
    zero = NOW + timedelta(seconds=30)
    timed = _event(2, "timed", item="prompt:p", deadline=zero, lock=True)
    assert RoomEvent.from_json(timed.to_json()) == timed
    state = apply(state, timed)
    assert state.refusal("prompt:p", zero - timedelta(seconds=1)) is None
    assert state.refusal("prompt:p", zero) is not None  # at zero, whatever was stored
    assert state.refusal("prompt:p") is None  # without a clock: only stored locks count
    unlocked = apply(state, _event(3, "timed", item="prompt:p", deadline=zero, lock=False))
    assert unlocked.refusal("prompt:p", zero + timedelta(hours=1)) is None


def test_a_learners_latest_code_result_counts_and_their_runs_add_up() -> None:
    state = RoomState("ABCDEF", "lesson", 0)
    state = apply(state, _event(1, "opened", item="challenge:c"))
    failed = _event(2, "coded", item="challenge:c", learner="l1", correct=False,
                    failed=("fast", "no-stall"), ref="a1")  # fmt: skip
    assert RoomEvent.from_json(failed.to_json()) == failed
    state = apply(state, failed)
    state = apply(state, _event(3, "coded", item="challenge:c", learner="l1", correct=True,
                                failed=(), ref="a2"))  # fmt: skip
    result = state.code_results["challenge:c"]["l1"]
    assert (result.runs, result.passed, result.failed, result.ref) == (2, True, (), "a2")
    assert not failed.public  # learners are not woken by another learner's run


@pytest.mark.anyio
async def test_stored_countdowns_and_code_results_load_back_and_overdue_ones_are_found(
    store: RoomStore,
) -> None:
    await store.create("ABCDEF", "lesson", hash_token("t"))
    await store.join("ABCDEF", "l1", "Ada", "ada")
    await store.open("ABCDEF", "prompt:p", None)
    zero = NOW + timedelta(seconds=10)
    assert isinstance(await store.countdown("ABCDEF", "prompt:p", zero, lock=True), RoomEvent)
    assert await store.overdue(NOW) == []
    assert await store.overdue(zero) == [("ABCDEF", "prompt:p")]
    await store.open("ABCDEF", "challenge:c", None)
    refused = await store.countdown("ABCDEF", "prompt:p", zero, lock=True)
    assert not isinstance(refused, RoomEvent)  # not the open item any more
    for ref in ("a1", "a2"):
        await store.code_result(
            "ABCDEF", "l1", "challenge:c", passed=False, failed=("fast",), ref=ref
        )
    loaded = await store.load("ABCDEF")
    assert loaded is not None
    assert loaded.item("prompt:p").deadline == zero
    assert loaded.item("prompt:p").lock_at_zero
    result = loaded.code_results["challenge:c"]["l1"]
    assert (result.runs, result.failed, result.ref) == (2, ("fast",), "a2")
    # The answer's own transaction refuses past zero (the store's clock is the truth).
    store.clock = lambda: zero
    answered = await store.answer("ABCDEF", "l1", "prompt:p", "a", correct=False)
    assert not isinstance(answered, RoomEvent)
