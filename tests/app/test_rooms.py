"""Workshop rooms through the app: creating, joining, pacing, answering, records.

Every request here is a plain form POST or page GET (the way the pages work without JavaScript);
the live streams are tested against a real server in test_room_stream.py.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

import httpx
import pytest
from app_helpers import HTMX, TemplateRecorder, client_for, learner_id, token_in
from fastapi import FastAPI
from trace_fakes import FakeEngine, canonical_trace

from loopscope.rooms.service import TICK_S, RoomService
from loopscope.services import services_of
from loopscope.storage.rooms import RoomRecord
from visualizer import SandboxStatus

pytestmark = pytest.mark.anyio

LESSON = "demo-lesson"
Clients = Callable[[], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def new_client(recorder: TemplateRecorder) -> Clients:
    return lambda: client_for(recorder)


async def _token(client: httpx.AsyncClient, path: str = "/join") -> str:
    response = await client.get(path)
    assert response.status_code == 200
    return token_in(response.text)


async def _create(host: httpx.AsyncClient) -> str:
    token = await _token(host, "/rooms/new")
    response = await host.post("/rooms", data={"csrf_token": token, "lesson": LESSON})
    assert response.status_code == 303
    found = re.fullmatch(r"/rooms/([A-Z2-9]{6})/host", response.headers["location"])
    assert found is not None
    return found.group(1)


async def _join(client: httpx.AsyncClient, code: str, nickname: str) -> httpx.Response:
    token = await _token(client, f"/join?code={code}")
    return await client.post(
        "/join", data={"csrf_token": token, "code": code, "nickname": nickname}
    )


async def _act(host: httpx.AsyncClient, code: str, item: str, verb: str) -> httpx.Response:
    token = await _token(host, f"/rooms/{code}/host")
    return await host.post(f"/rooms/{code}/items/{item}/{verb}", data={"csrf_token": token})


async def _answer(
    client: httpx.AsyncClient, code: str, item: str, choice: str, *, htmx: bool = False
) -> httpx.Response:
    token = await _token(client)
    return await client.post(
        f"/rooms/{code}/answers",
        data={"csrf_token": token, "item": item, "choice": choice},
        headers=HTMX if htmx else {},
    )


@pytest.fixture
async def room(client: httpx.AsyncClient) -> str:
    return await _create(client)


@pytest.fixture
async def ada(new_client: Clients, room: str) -> AsyncIterator[httpx.AsyncClient]:
    async with new_client() as learner:
        assert (await _join(learner, room, "Ada")).status_code == 303
        yield learner


async def test_create_lands_on_the_host_page_with_code_qr_and_join_link(
    client: httpx.AsyncClient,
) -> None:
    code = await _create(client)
    page = await client.get(f"/rooms/{code}/host")
    assert page.status_code == 200
    assert f'<span id="join-code" class="join-code">{code}</span>' in page.text
    assert "<svg" in page.text  # the QR code, made on the server
    assert f"/join?code={code}" in page.text
    assert "Open this host view on another device" in page.text


async def test_only_the_host_acts_and_the_host_link_makes_a_second_device_a_host(
    client: httpx.AsyncClient, new_client: Clients, room: str, ada: httpx.AsyncClient
) -> None:
    assert (await ada.get(f"/rooms/{room}/host")).status_code == 403
    assert (await ada.get(f"/rooms/{room}/export.csv")).status_code == 403
    token = await _token(ada)
    opened = await ada.post(f"/rooms/{room}/items/prompt:p2/open", data={"csrf_token": token})
    assert opened.status_code == 403
    page = await client.get(f"/rooms/{room}/host")
    link = re.search(r'id="host-link-field" type="text" readonly value="([^"]+)"', page.text)
    assert link is not None
    async with new_client() as projector:
        wrong = await projector.get(f"/rooms/{room}/host?key=not-the-key")
        assert wrong.status_code == 403
        entered = await projector.get(link.group(1).replace("&amp;", "&"))
        assert entered.status_code == 303
        assert (await projector.get(f"/rooms/{room}/host")).status_code == 200


async def test_join_reads_the_code_loosely_and_refuses_unknown_codes_and_taken_nicknames(
    client: httpx.AsyncClient, new_client: Clients, room: str, ada: httpx.AsyncClient
) -> None:
    async with new_client() as bob:
        loose = f" {room[:3].lower()}-{room[3:].lower()} "
        assert (await _join(bob, loose, "Bob")).headers["location"] == f"/rooms/{room}"
    async with new_client() as other:
        unknown = await _join(other, "ZZZZZZ" if room != "ZZZZZZ" else "YYYYYY", "Cy")
        assert unknown.status_code == 422
        assert "No room has the code" in unknown.text
        taken = await _join(other, room, " ADA ")
        assert taken.status_code == 422
        assert "already called" in taken.text
        empty = await _join(other, room, "   ")
        assert empty.status_code == 422
        assert "Choose a nickname" in empty.text
    again = await _join(ada, room, "Someone else")  # the same learner: still Ada
    assert again.status_code == 303
    host = await client.get(f"/rooms/{room}/host")
    assert re.findall(r"<li>(Ada|Bob|Someone else)</li>", host.text) == ["Ada", "Bob"]


async def test_nicknames_are_escaped_on_every_page_and_in_the_export(
    client: httpx.AsyncClient, new_client: Clients, room: str
) -> None:
    nasty = '<img src=x onerror="alert(1)">'[:24]
    async with new_client() as learner:
        assert (await _join(learner, room, nasty)).status_code == 303
        own = await learner.get(f"/rooms/{room}")
        assert nasty not in own.text
        assert "&lt;img src=x" in own.text
        await _act(client, room, "prompt:p2", "open")
        await _answer(learner, room, "prompt:p2", "a")
    async with new_client() as formula:
        await _join(formula, room, "=HYPERLINK(1)")
        await _answer(formula, room, "prompt:p2", "b")
    host = await client.get(f"/rooms/{room}/host")
    assert nasty not in host.text
    assert "&lt;img src=x" in host.text
    rows = list(csv.reader(io.StringIO((await client.get(f"/rooms/{room}/export.csv")).text)))
    assert {row[0] for row in rows[1:]} == {nasty, "'=HYPERLINK(1)"}


async def test_an_item_is_hidden_until_opened_and_its_answers_until_revealed(
    client: httpx.AsyncClient, new_client: Clients, room: str, ada: httpx.AsyncClient
) -> None:
    waiting = await ada.get(f"/rooms/{room}")
    assert "Waiting for the host" in waiting.text
    assert "Question **p2**" not in waiting.text
    assert (await _act(client, room, "prompt:p2", "open")).status_code == 303
    page = await ada.get(f"/rooms/{room}")
    assert 'data-item="prompt:p2"' in page.text
    assert 'name="choice"' in page.text
    assert (await _answer(ada, room, "prompt:p2", "c")).status_code == 303
    async with new_client() as bob:
        await _join(bob, room, "Bob")
        await _answer(bob, room, "prompt:p2", "b")
        before = await bob.get(f"/rooms/{room}")
    # Nothing about the others, nor the right answer, before the reveal.
    for text in (before.text, (await ada.get(f"/rooms/{room}")).text):
        assert "bar-row" not in text
        assert "tag-answer" not in text
        assert "p2 B is right because" not in text
    host = await client.get(f"/rooms/{room}/host")
    assert re.search(r'id="answered-count">2<', host.text)
    assert (await _act(client, room, "prompt:p2", "reveal")).status_code == 303
    after = await ada.get(f"/rooms/{room}")
    assert after.text.count('class="bar-row') == 3
    assert "p2 B is right because" in after.text
    assert "Not quite." in after.text  # Ada chose c
    assert re.search(r"<strong>1</strong> <span class=\"meta\">\(50%\)", after.text)


async def test_the_first_answer_counts_and_a_repeat_changes_nothing(
    client: httpx.AsyncClient, room: str, ada: httpx.AsyncClient
) -> None:
    await _act(client, room, "prompt:p2", "open")
    await _answer(ada, room, "prompt:p2", "a")
    await _answer(ada, room, "prompt:p2", "b")
    rows = list(csv.DictReader(io.StringIO((await client.get(f"/rooms/{room}/export.csv")).text)))
    assert [(r["nickname"], r["answer"], r["correct"]) for r in rows] == [
        ("Ada", "p2 option A", "no")
    ]


async def test_lock_refuses_a_late_answer_with_a_message(
    client: httpx.AsyncClient, new_client: Clients, room: str, ada: httpx.AsyncClient
) -> None:
    await _act(client, room, "myth:m1", "open")
    assert (await _act(client, room, "myth:m1", "lock")).status_code == 303
    late = await _answer(ada, room, "myth:m1", "no")
    # Without JavaScript: back on the room's own address, with the refusal said once.
    assert late.status_code == 303
    assert late.headers["location"] == f"/rooms/{room}?refused=myth:m1#stage"
    landed = await ada.get(late.headers["location"])
    assert landed.status_code == 200
    assert landed.text.count("Voting on this item is closed") == 1
    assert "your answer was not counted" in landed.text
    fragment = await _answer(ada, room, "myth:m1", "no", htmx=True)
    assert fragment.status_code == 409
    assert fragment.text.lstrip().startswith('<section id="stage"')
    assert (await client.get(f"/rooms/{room}/export.csv")).text.count("\n") == 1
    # A reveal closes voting as well, and an answer to an item that is not open is refused.
    await _act(client, room, "myth:m2", "open")
    await _act(client, room, "myth:m2", "reveal")
    assert "refused=" in (await _answer(ada, room, "myth:m2", "no")).headers["location"]
    moved_on = await _answer(ada, room, "prompt:p2", "a", htmx=True)
    assert moved_on.status_code == 409
    assert "The host has moved on" in moved_on.text


async def test_the_host_steps_back_and_a_late_joiner_lands_on_the_current_item(
    client: httpx.AsyncClient, new_client: Clients, room: str, ada: httpx.AsyncClient
) -> None:
    await _act(client, room, "prompt:p2", "open")
    await _answer(ada, room, "prompt:p2", "b")
    await _act(client, room, "prompt:p3", "open")
    await _act(client, room, "prompt:p2", "open")  # back to the earlier item
    page = await ada.get(f"/rooms/{room}")
    assert 'data-item="prompt:p2"' in page.text
    assert 'id="committed"' in page.text  # Ada's answer is still hers
    async with new_client() as late:
        await _join(late, room, "Late")
        landed = await late.get(f"/rooms/{room}")
        assert 'data-item="prompt:p2"' in landed.text
        assert 'name="choice"' in landed.text


async def test_run_this_example_shows_one_recorded_trace_to_everyone(
    client: httpx.AsyncClient, room: str, ada: httpx.AsyncClient, engine: FakeEngine
) -> None:
    assert (await _act(client, room, "example:canonical", "open")).status_code == 303
    page = await ada.get(f"/rooms/{room}")
    assert "A real recorded run of" in page.text
    assert "What happened, step by step" in page.text
    player = re.search(r'href="(/lessons/demo-lesson/visualize/runs/[^"]+)"', page.text)
    assert player is not None
    assert (await ada.get(player.group(1))).status_code == 200
    host = await client.get(f"/rooms/{room}/host")
    assert player.group(1) in host.text
    assert len(engine.requests) == 1  # one run, shown to everyone


async def test_summary_and_export_after_the_session(
    client: httpx.AsyncClient, new_client: Clients, room: str, ada: httpx.AsyncClient
) -> None:
    await _act(client, room, "prompt:p2", "open")
    await _answer(ada, room, "prompt:p2", "b")
    await _act(client, room, "prompt:p2", "reveal")
    await _act(client, room, "recall:r1", "open")
    await _answer(ada, room, "recall:r1", "a")
    token = await _token(client, f"/rooms/{room}/host")
    assert (await client.post(f"/rooms/{room}/end", data={"csrf_token": token})).status_code == 303
    ended = await ada.get(f"/rooms/{room}")
    assert "The session is over" in ended.text
    closed = await _answer(ada, room, "recall:r2", "b")
    assert closed.status_code == 303
    assert "The session has ended" in (await ada.get(closed.headers["location"])).text
    host_summary = await client.get(f"/rooms/{room}/summary")
    assert "Deep prediction 1" in host_summary.text
    assert "Quiz question 1" in host_summary.text  # the host sees unrevealed items too
    assert "<td>Ada</td><td>2</td><td>1</td>" in host_summary.text
    own = await ada.get(f"/rooms/{room}/summary")
    assert "Deep prediction 1" in own.text
    assert "Quiz question 1" not in own.text  # never revealed
    assert "<td>Ada</td><td>1</td><td>1</td>" in own.text
    async with new_client() as stranger:
        assert (await stranger.get(f"/rooms/{room}/summary")).status_code == 403
    export = await client.get(f"/rooms/{room}/export.csv")
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [(r["nickname"], r["item"], r["answer"], r["correct"]) for r in rows] == [
        ("Ada", "Deep prediction 1", "p2 option B", "yes"),
        ("Ada", "Quiz question 1", "r1 option A", "no"),
    ]
    assert all(re.match(r"\d{4}-\d\d-\d\dT", r["answered_at"]) for r in rows)


async def test_delete_needs_a_confirmation_and_then_the_room_is_gone(
    client: httpx.AsyncClient, room: str, ada: httpx.AsyncClient
) -> None:
    token = await _token(client, f"/rooms/{room}/host")
    unconfirmed = await client.post(f"/rooms/{room}/delete", data={"csrf_token": token})
    assert unconfirmed.status_code == 422
    assert (await client.get(f"/rooms/{room}/host")).status_code == 200
    deleted = await client.post(
        f"/rooms/{room}/delete", data={"csrf_token": token, "confirm": "true"}
    )
    assert deleted.status_code == 200
    assert f"Room {room} was deleted" in deleted.text
    assert (await ada.get(f"/rooms/{room}")).status_code == 404
    assert (await client.get(f"/rooms/{room}/export.csv")).status_code == 404


async def test_rooms_past_the_retention_period_are_deleted(
    running: FastAPI, client: httpx.AsyncClient
) -> None:
    rooms: RoomService = services_of(running).rooms
    kept = await _create(client)
    assert await rooms.purge() == 0
    later = rooms.store.now() + rooms.retention
    rooms.store.clock = lambda: later  # time passes
    assert await rooms.purge() == 1
    assert (await client.get(f"/rooms/{kept}/host")).status_code == 404


async def test_a_learner_id_is_the_participant(
    client: httpx.AsyncClient, running: FastAPI, room: str, ada: httpx.AsyncClient
) -> None:
    hub = await services_of(running).rooms.hub(room)
    assert hub is not None
    assert hub.state.participants[learner_id(ada)].nickname == "Ada"


async def test_creating_a_room_for_an_unknown_lesson_is_a_422_with_the_form(
    client: httpx.AsyncClient,
) -> None:
    token = await _token(client, "/rooms/new")
    response = await client.post("/rooms", data={"csrf_token": token, "lesson": "no-such-lesson"})
    assert response.status_code == 422  # found by bench/reliability.py's fuzz: it was a 500
    assert "There is no lesson with this name." in response.text
    assert "Create room" in response.text


# --- a real class: the presenter, countdowns, who has not answered, code items, records -------


async def test_the_presenter_shows_the_question_and_count_but_no_answer_until_the_reveal(
    client: httpx.AsyncClient, new_client: Clients, room: str, ada: httpx.AsyncClient
) -> None:
    waiting = await client.get(f"/rooms/{room}/present")
    assert waiting.status_code == 200
    assert "Join the room" in waiting.text
    assert room in waiting.text
    await _act(client, room, "prompt:p2", "open")
    await _answer(ada, room, "prompt:p2", "c")
    async with new_client() as bob:
        await _join(bob, room, "Bob")
        before = await client.get(f"/rooms/{room}/present")
    assert "Question <strong>p2</strong>?" in before.text
    assert re.findall(r"<li>(p2 option [ABC])</li>", before.text) == [
        "p2 option A",
        "p2 option B",
        "p2 option C",
    ]
    assert re.search(r'id="answered-count">1</strong> of 2 answered', before.text)
    for spoiler in ("bar-row", "tag-answer", "p2 B is right because", "Bob", "Ada"):
        assert spoiler not in before.text
    assert "<button" not in before.text.split('id="screen"')[1]  # nothing to press on a projector
    assert (await ada.get(f"/rooms/{room}/present")).status_code == 403  # the host's screen

    await _act(client, room, "prompt:p2", "reveal")
    after = await client.get(f"/rooms/{room}/present")
    assert after.text.count('class="bar-row') == 3
    assert re.search(r'bar-row is-answer">\s*<div class="bar-label">\s*<span class="bar-text">'
                     r"p2 option B", after.text)  # fmt: skip
    assert "p2 B is right because" in after.text
    assert re.search(r'id="answered-count">1</strong> of 2 answered · revealed', after.text)


async def test_after_open_the_host_screen_folds_the_join_details_and_the_distribution(
    client: httpx.AsyncClient, new_client: Clients, room: str, ada: httpx.AsyncClient
) -> None:
    before = await client.get(f"/rooms/{room}/host")
    assert '<details class="join-details" id="join-details" open>' in before.text
    async with new_client() as bob:
        await _join(bob, room, "Bob")
    await _act(client, room, "myth:m1", "open")
    await _answer(ada, room, "myth:m1", "no")
    host = (await client.get(f"/rooms/{room}/host")).text
    assert '<details class="join-details" id="join-details">' in host  # folded
    assert host.index('id="current-title"') < host.index('id="participants-title"')
    # The distribution and the answer are there for the host, but folded while voting is open.
    peek = host.split('<details class="peek" id="peek">')[1].split("</details>")[0]
    assert "tag-answer" in peek
    assert host.count("tag-answer") == 1
    # Who has not answered yet: Bob, not Ada.
    waiting = host.split('id="not-answered"')[1].split("</div>")[0]
    assert re.findall(r"<li>([^<]+)</li>", waiting) == ["Bob"]
    await _act(client, room, "myth:m1", "reveal")
    revealed = (await client.get(f"/rooms/{room}/host")).text
    assert 'id="peek"' not in revealed
    assert "REALITY-m1" in revealed


async def test_a_countdown_that_locks_at_zero_is_the_servers_truth(
    client: httpx.AsyncClient, new_client: Clients, running: FastAPI, room: str,
    ada: httpx.AsyncClient,
) -> None:  # fmt: skip
    rooms: RoomService = services_of(running).rooms
    await _act(client, room, "prompt:p2", "open")
    token = await _token(client, f"/rooms/{room}/host")
    started = await client.post(
        f"/rooms/{room}/items/prompt:p2/countdown",
        data={"csrf_token": token, "seconds": "30", "lock": "true"},
    )
    assert started.status_code == 303
    page = await ada.get(f"/rooms/{room}")
    found = re.search(r'class="countdown" id="countdown" data-deadline="(\d+)" data-lock="true"',
                      page.text)  # fmt: skip
    assert found is not None
    assert "0:30" in page.text or "0:29" in page.text
    # Past zero, with no page open and before any timer ran: the answer is refused all the same.
    real = rooms.store.clock
    rooms.store.clock = lambda: real() + timedelta(seconds=31)
    late = await _answer(ada, room, "prompt:p2", "b")
    assert "refused=" in late.headers["location"]
    assert "your answer was not counted" in (await ada.get(late.headers["location"])).text
    # The periodic check locks it, whoever started it, and every page is told.
    assert await rooms.lock_overdue() == 1
    assert await rooms.lock_overdue() == 0
    host = (await client.get(f"/rooms/{room}/host")).text
    assert "voting closed" in host
    # A countdown that does not lock only says the time is up: answers still count.
    await _act(client, room, "prompt:p3", "open")
    token = await _token(client, f"/rooms/{room}/host")
    await client.post(
        f"/rooms/{room}/items/prompt:p3/countdown", data={"csrf_token": token, "seconds": "10"}
    )
    rooms.store.clock = lambda: real() + timedelta(seconds=60)
    assert await rooms.lock_overdue() == 0
    assert (
        (await _answer(ada, room, "prompt:p3", "b"))
        .headers["location"]
        .endswith(f"/rooms/{room}#stage")
    )
    odd = await client.post(
        f"/rooms/{room}/items/prompt:p3/countdown", data={"csrf_token": token, "seconds": "17"}
    )
    assert odd.status_code == 409
    assert "Choose one of the countdown lengths" in odd.text


async def test_a_code_item_counts_each_learners_runs_and_checks_live_for_the_host(
    client: httpx.AsyncClient, new_client: Clients, room: str, ada: httpx.AsyncClient,
    engine: FakeEngine,
) -> None:  # fmt: skip
    async with new_client() as bob:
        await _join(bob, room, "Bob")
        assert (await _act(client, room, "challenge:c1", "open")).status_code == 303
        page = await ada.get(f"/rooms/{room}")
        assert 'name="source"' in page.text
        assert "time.sleep(1)" in page.text  # the starter code, in the learner's editor
        engine.trace_answer = canonical_trace().model_copy(update={"wall_ms": 50.0})
        token = await _token(ada)
        code = "import asyncio\n\nasync def f(n=1):\n    await asyncio.sleep(0)\n    return n\n"
        checked = await ada.post(
            f"/rooms/{room}/items/challenge:c1/code", data={"csrf_token": token, "source": code}
        )
        assert checked.status_code == 303
        mine = await ada.get(f"/rooms/{room}")
        attempt = re.search(r'href="(/lessons/demo-lesson/challenge/c1/attempts/[^"]+)"', mine.text)
        assert attempt is not None
        assert (await ada.get(attempt.group(1))).status_code == 200  # the Challenge page's own
        assert "async def f(n=1)" in mine.text  # the draft is kept in the editor
        host = (await client.get(f"/rooms/{room}/host")).text
        assert re.search(r'id="answered-count">1</strong> of 2 ran their code', host)
        rows = re.findall(r'<tr data-check="([a-z-]+)"><td>[^<]+</td><td>(\d)</td><td>(\d)</td>',
                          host)  # fmt: skip
        assert rows == [("fast", "1", "0"), ("no-stall", "1", "0"), ("hidden-value", "1", "0")]
        assert "Most common failing check" not in host
        waiting = host.split('id="not-answered"')[1].split("</div>")[0]
        assert re.findall(r"<li>([^<]+)</li>", waiting) == ["Bob"]
        # Bob's code is too slow: "It is fast." fails, the most common failing check now.
        engine.trace_answer = canonical_trace().model_copy(update={"wall_ms": 500.0})
        token = await _token(bob)
        starter = "import time\n\nasync def f():\n    time.sleep(1)\n"
        await bob.post(
            f"/rooms/{room}/items/challenge:c1/code", data={"csrf_token": token, "source": starter}
        )
        host = (await client.get(f"/rooms/{room}/host")).text
        assert re.search(r'id="answered-count">2</strong> of 2 ran their code', host)
        rows = re.findall(r'<tr data-check="([a-z-]+)"><td>[^<]+</td><td>(\d)</td><td>(\d)</td>',
                          host)  # fmt: skip
        assert rows == [("fast", "1", "1"), ("no-stall", "2", "0"), ("hidden-value", "2", "0")]
        most = host.split('id="most-failing"')[1].split("</p>")[0]
        assert "It is fast." in most
        assert "(1 of 2)" in most
        assert len(engine.requests) == 4  # two runs per check, all through the trace service
        # The learner's own page shows what failed, in words.
        assert "It is fast." in (await bob.get(f"/rooms/{room}")).text


async def test_a_try_item_runs_the_learners_code_and_a_closed_item_keeps_it(
    client: httpx.AsyncClient, room: str, ada: httpx.AsyncClient
) -> None:
    await _act(client, room, "try:canonical", "open")
    token = await _token(ada)
    ran = await ada.post(
        f"/rooms/{room}/items/try:canonical/code",
        data={"csrf_token": token, "source": "async def f():\n    return 1\n"},
    )
    assert ran.status_code == 303
    mine = await ada.get(f"/rooms/{room}")
    assert re.search(r'href="/lessons/demo-lesson/try/runs/[^"]+"', mine.text)
    host = (await client.get(f"/rooms/{room}/host")).text
    assert re.search(r'id="answered-count">1</strong> of 1 ran their code', host)
    # The host moved on: the run is refused, and the code typed is still in the editor.
    await _act(client, room, "prompt:p2", "open")
    late = await ada.post(
        f"/rooms/{room}/items/try:canonical/code",
        data={"csrf_token": token, "source": "async def f():\n    return 'kept'\n"},
    )
    assert late.status_code == 409
    assert "The host has moved on" in late.text
    not_code = await ada.post(
        f"/rooms/{room}/items/prompt:p2/code", data={"csrf_token": token, "source": "x = 1\n"}
    )
    assert not_code.status_code == 422


async def test_without_a_sandbox_a_code_item_shows_why_and_runs_nothing(
    client: httpx.AsyncClient, room: str, ada: httpx.AsyncClient, engine: FakeEngine
) -> None:
    engine.sandbox = SandboxStatus(False, "bwrap cannot create a user namespace")
    await _act(client, room, "try:canonical", "open")
    page = (await ada.get(f"/rooms/{room}")).text
    form = page.split('id="code-form"')[1].split("</form>")[0]
    assert "bwrap cannot create a user namespace" in form
    assert "data-sandbox-off" in form
    assert re.search(r"<textarea[^>]*\sreadonly", form)
    assert re.search(r'<button type="submit" id="run-code"[^>]*\sdisabled', form)
    token = await _token(ada)
    refused = await ada.post(
        f"/rooms/{room}/items/try:canonical/code",
        data={"csrf_token": token, "source": "async def f():\n    return 1\n"},
    )
    assert refused.status_code == 503
    assert "bwrap cannot create a user namespace" in refused.text
    assert engine.requests == []


async def test_the_csv_and_the_summary_name_items_and_options_in_words_with_correct_rates(
    client: httpx.AsyncClient, new_client: Clients, room: str, ada: httpx.AsyncClient
) -> None:
    await _act(client, room, "myth:m1", "open")
    await _answer(ada, room, "myth:m1", "no")
    async with new_client() as bob:
        await _join(bob, room, "Bob")
        await _answer(bob, room, "myth:m1", "yes")
        await _act(client, room, "visual:v1", "open")
        await _answer(bob, room, "visual:v1", "b")
    export = (await client.get(f"/rooms/{room}/export.csv")).text
    rows = list(csv.DictReader(io.StringIO(export)))
    assert [
        (r["nickname"], r["item"], r["question"], r["answer"], r["correct"], r["item_correct_rate"])
        for r in rows
    ] == [
        ("Ada", "Myth 1", "Async is faster", "No, it does not", "yes", "50%"),
        ("Bob", "Myth 1", "Async is faster", "Yes, it holds", "no", "50%"),
        ("Bob", "Visual question 1", "Question v1?", "v1 option B", "yes", "100%"),
    ]
    assert not re.search(r"\b(myth|prompt|visual|recall):", export)  # no internal ids
    summary = (await client.get(f"/rooms/{room}/summary")).text
    assert "correct rate 50%" in summary
    assert "correct rate 100%" in summary
    assert "Question <strong>v1</strong>?" in summary


async def test_a_visual_question_shows_the_table_of_the_run_it_asks_about(
    client: httpx.AsyncClient, room: str, ada: httpx.AsyncClient, engine: FakeEngine
) -> None:
    await _act(client, room, "visual:v1", "open")
    page = (await ada.get(f"/rooms/{room}")).text
    assert "The execution table of the traced run" in page
    assert page.count('<th scope="row">') >= 2
    assert len(engine.requests) == 1


async def test_the_countdowns_own_timer_locks_at_zero_and_tells_the_pages(
    client: httpx.AsyncClient, running: FastAPI, room: str, ada: httpx.AsyncClient
) -> None:
    rooms: RoomService = services_of(running).rooms
    await _act(client, room, "myth:m1", "open")
    hub = await rooms.hub(room)
    assert hub is not None
    seq = hub.state.seq
    await rooms.countdown(await _record(rooms, room), "myth:m1", 10, lock=True)
    real = rooms.store.clock
    rooms.store.clock = lambda: real() + timedelta(seconds=10)  # before the timer first wakes
    # Well before the periodic check (every TICK_S) could do it instead.
    async with asyncio.timeout(TICK_S / 3):
        async for update in hub.follow(seq, None):  # the host's view of the room, live
            if update.state.item("myth:m1").locked:
                break
    assert [e.kind for e in hub.missed(seq, None) or ()] == ["timed", "locked"]


async def _record(rooms: RoomService, code: str) -> RoomRecord:
    found = await rooms.room(code)
    assert found is not None
    return found


async def test_a_visual_question_opens_without_its_table_when_no_run_can_be_recorded(
    client: httpx.AsyncClient, room: str, ada: httpx.AsyncClient, engine: FakeEngine
) -> None:
    engine.busy = True
    assert (await _act(client, room, "visual:v1", "open")).status_code == 303
    page = (await ada.get(f"/rooms/{room}")).text
    assert 'data-item="visual:v1"' in page
    assert 'name="choice"' in page
    assert "The execution table" not in page
    # "Run this example" is the run itself: the host is told it could not be made.
    assert (await _act(client, room, "example:canonical", "open")).status_code == 503
