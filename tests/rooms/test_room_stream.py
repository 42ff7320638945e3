"""The live streams against a real server: numbered events, and a reconnect (Last-Event-ID) that
gets the current state plus what it missed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from realservers import app_server

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Message:
    event: str
    id: int
    data: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"LOOPSCOPE_SECRET_KEY": "stream", "LOOPSCOPE_TRACE_PRESTART": "false"}
    with app_server(tmp_path_factory.mktemp("stream"), env=env) as (url, _):
        yield url


def _token(client: httpx.Client, path: str) -> str:
    found = TOKEN.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def _read(response: httpx.Response) -> Message:
    fields: dict[str, list[str]] = {}
    for line in response.iter_lines():
        if line == "":
            if "event" in fields:
                break
            continue
        if line.startswith(":"):
            continue  # a keep-alive comment
        name, _, value = line.partition(": ")
        fields.setdefault(name, []).append(value)
    return Message(fields["event"][0], int(fields["id"][0]), "\n".join(fields["data"]))


@dataclass
class Room:
    code: str
    host: httpx.Client
    learner: httpx.Client

    def act(self, item: str, verb: str) -> None:
        token = _token(self.host, f"/rooms/{self.code}/host")
        response = self.host.post(
            f"/rooms/{self.code}/items/{item}/{verb}", data={"csrf_token": token}
        )
        assert response.status_code == 303


@pytest.fixture
def room(server: str) -> Iterator[Room]:
    with (
        httpx.Client(base_url=server, timeout=10) as host,
        httpx.Client(base_url=server, timeout=10) as learner,
    ):
        token = _token(host, "/rooms/new")
        created = host.post(
            "/rooms", data={"csrf_token": token, "lesson": "async-http-client-calls"}
        )
        code = created.headers["location"].split("/")[2]
        token = _token(learner, f"/join?code={code}")
        joined = learner.post("/join", data={"csrf_token": token, "code": code, "nickname": "Ada"})
        assert joined.status_code == 303
        yield Room(code, host, learner)


def _since(client: httpx.Client, path: str) -> int:
    found = re.search(r'data-since="(\d+)"', client.get(path).text)
    assert found is not None
    return int(found.group(1))


def test_a_page_gets_numbered_events_and_a_reconnect_gets_what_it_missed(room: Room) -> None:
    page = f"/rooms/{room.code}"
    since = _since(room.learner, page)
    events = f"{page}/events"
    with room.learner.stream("GET", events, params={"since": since}) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        room.act("prompt:prompt-two-clients", "open")
        opened = _read(stream)
    assert opened.event == "room"
    assert opened.id > since
    assert 'data-item="prompt:prompt-two-clients"' in opened.data
    assert "The host opened Deep prediction 1." in opened.data

    # While the page is away, the host reveals this item and opens the next one.
    room.act("prompt:prompt-two-clients", "reveal")
    room.act("prompt:prompt-async-route", "open")
    headers = {"Last-Event-ID": str(opened.id)}
    with room.learner.stream("GET", events, params={"since": 0}, headers=headers) as stream:
        caught_up = _read(stream)
    assert caught_up.id == opened.id + 2
    assert 'data-item="prompt:prompt-async-route"' in caught_up.data  # the current state
    missed = re.findall(r'<li data-seq="(\d+)">([^<]+)</li>', caught_up.data)
    assert [text for _, text in missed] == [
        "The answers to Deep prediction 1 were revealed.",
        "The host opened Deep prediction 2.",
    ]
    assert "The host opened Deep prediction 1." not in caught_up.data  # seen already

    # Up to date: nothing is sent until something happens.
    headers = {"Last-Event-ID": str(caught_up.id)}
    with (
        room.learner.stream(
            "GET", events, headers=headers, timeout=httpx.Timeout(10, read=1)
        ) as stream,
        pytest.raises(httpx.ReadTimeout),
    ):
        _read(stream)


def test_answers_reach_the_host_stream_and_never_the_learners(room: Room, server: str) -> None:
    room.act("prompt:prompt-two-clients", "open")
    host_since = _since(room.host, f"/rooms/{room.code}/host")
    learner_since = _since(room.learner, f"/rooms/{room.code}")
    timeout = httpx.Timeout(10, read=1.5)
    with (
        room.host.stream(
            "GET", f"/rooms/{room.code}/host/events", params={"since": host_since}
        ) as host_stream,
        room.learner.stream(
            "GET", f"/rooms/{room.code}/events", params={"since": learner_since}, timeout=timeout
        ) as learner_stream,
    ):
        token = _token(room.learner, "/join")
        answered = room.learner.post(
            f"/rooms/{room.code}/answers",
            data={"csrf_token": token, "item": "prompt:prompt-two-clients", "choice": "both"},
        )
        assert answered.status_code == 303
        update = _read(host_stream)
        assert re.search(r'id="answered-count">1<', update.data)
        with pytest.raises(httpx.ReadTimeout):
            _read(learner_stream)


def test_streams_are_for_the_room_members_only(room: Room, server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as stranger:
        assert stranger.get(f"/rooms/{room.code}/events").status_code == 403
        assert stranger.get(f"/rooms/{room.code}/host/events").status_code == 403
    assert room.learner.get(f"/rooms/{room.code}/host/events").status_code == 403
    assert room.learner.get("/rooms/ZZZZZ9/events").status_code == 404


def test_the_stream_ends_when_the_host_deletes_the_room(room: Room, tmp_path: Path) -> None:
    since = _since(room.learner, f"/rooms/{room.code}")
    with room.learner.stream(
        "GET", f"/rooms/{room.code}/events", params={"since": since}
    ) as stream:
        token = _token(room.host, f"/rooms/{room.code}/host")
        deleted = room.host.post(
            f"/rooms/{room.code}/delete", data={"csrf_token": token, "confirm": "true"}
        )
        assert deleted.status_code == 200
        gone = _read(stream)
        assert gone.event == "gone"
        assert "The host deleted this room." in gone.data
