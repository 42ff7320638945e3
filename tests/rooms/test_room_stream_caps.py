"""The caps on live streams, against a real server: one cookie cannot hold a thousand streams,
and a room cannot hold more than its cap; over either a new stream is a clear 429."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from realservers import app_server

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PER_LEARNER = 3
PER_ROOM = 10


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {
        "LOOPSCOPE_SECRET_KEY": "caps",
        "LOOPSCOPE_TRACE_PRESTART": "false",
        "LOOPSCOPE_ROOM_STREAMS_PER_LEARNER": str(PER_LEARNER),
        "LOOPSCOPE_ROOM_STREAMS_PER_ROOM": str(PER_ROOM),
    }
    with app_server(tmp_path_factory.mktemp("caps"), env=env) as (url, _):
        yield url


def _token(client: httpx.Client, path: str) -> str:
    found = TOKEN.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def _room(host: httpx.Client) -> str:
    token = _token(host, "/rooms/new")
    created = host.post("/rooms", data={"csrf_token": token, "lesson": "async-http-client-calls"})
    return created.headers["location"].split("/")[2]


def _join(client: httpx.Client, code: str, nickname: str) -> None:
    token = _token(client, f"/join?code={code}")
    joined = client.post("/join", data={"csrf_token": token, "code": code, "nickname": nickname})
    assert joined.status_code == 303


def _open(
    stack: contextlib.ExitStack, client: httpx.Client, code: str
) -> tuple[httpx.Response, Iterator[str]]:
    """A stream that is open on the server: its first message has arrived. Keep the lines
    iterator: dropping it closes the stream."""
    response = stack.enter_context(client.stream("GET", f"/rooms/{code}/events"))
    assert response.status_code == 200
    lines = response.iter_lines()
    assert next(lines) == "event: room"
    return response, lines


def test_a_thousand_streams_on_one_cookie_are_refused_past_the_cap(server: str) -> None:
    with (
        httpx.Client(base_url=server, timeout=10) as host,
        httpx.Client(base_url=server, timeout=10) as ada,
        contextlib.ExitStack() as stack,
    ):
        code = _room(host)
        _join(ada, code, "Ada")
        held = [_open(stack, ada, code) for _ in range(PER_LEARNER)]
        refused = [ada.get(f"/rooms/{code}/events") for _ in range(1000)]
        assert {r.status_code for r in refused} == {429}
        assert f"already follows rooms on {PER_LEARNER} pages" in refused[0].text
        # The streams held are untouched, and the host (another cookie) still gets one.
        with host.stream("GET", f"/rooms/{code}/host/events") as host_stream:
            assert host_stream.status_code == 200
        # A page closed gives its stream back: a new one is accepted.
        held[0][0].close()
        deadline = time.monotonic() + 5
        while True:
            with ada.stream("GET", f"/rooms/{code}/events") as again:
                if again.status_code == 200:
                    break
            assert time.monotonic() < deadline, "the closed stream was never given back"


def test_a_room_refuses_streams_past_its_cap(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as host, contextlib.ExitStack() as stack:
        code = _room(host)
        learners = [stack.enter_context(httpx.Client(base_url=server, timeout=10)) for _ in "abcd"]
        for number, learner in enumerate(learners):
            _join(learner, code, f"Learner {number}")
        held = [_open(stack, learner, code) for learner in learners[:3] for _ in range(3)]
        held.append(_open(stack, learners[3], code))  # the room's 10th
        assert len(held) == PER_ROOM
        over = learners[3].get(f"/rooms/{code}/events")
        assert over.status_code == 429
        assert f"This room already has {PER_ROOM} live pages open" in over.text
        # Another room on the same server is not affected.
        other = _room(host)
        _join(learners[3], other, "Elsewhere")
        held.append(_open(stack, learners[3], other))
