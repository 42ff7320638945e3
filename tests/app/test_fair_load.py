"""Fair load with a fake engine (the point is the queue): a fresh-cookie flood from one address
does not starve another address, and a run whose caller has gone is stopped."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from app_factories import SLUG
from app_helpers import TemplateRecorder, token_in
from fastapi import FastAPI
from trace_fakes import FakeEngine

from loopscope.caller import Caller, asking
from loopscope.records import RecordedRun
from loopscope.runs.service import (
    STOPPED_MESSAGE,
    CallerGone,
    TraceFailed,
    TraceService,
    request_key,
)
from loopscope.services import services_of
from loopscope.settings import Settings
from visualizer import Trace, TraceRequest

pytestmark = pytest.mark.anyio

TRY = f"/lessons/{SLUG}/try"
FLOOD = 20


class StepEngine(FakeEngine):
    """Each run holds its worker until the test releases it; says which run started, and which
    were cancelled (the real engine kills the worker's sandbox there)."""

    def __init__(self) -> None:
        super().__init__()
        self.started: asyncio.Queue[TraceRequest] = asyncio.Queue()
        self.releases: dict[TraceRequest, asyncio.Event] = {}
        self.cancelled: asyncio.Queue[TraceRequest] = asyncio.Queue()
        self.open = False  # every run, also the ones still to start, is released

    async def trace(self, request: TraceRequest) -> Trace:
        release = self.releases.setdefault(request, asyncio.Event())
        if self.open:
            release.set()
        self.requests.append(request)
        self.progress(request, "queued")
        self.progress(request, "running")
        await self.started.put(request)
        try:
            await release.wait()
        except asyncio.CancelledError:
            self.cancelled.put_nowait(request)
            raise
        return self.trace_answer.model_copy(update={"call": request.call})

    def release(self, request: TraceRequest) -> None:
        self.releases.setdefault(request, asyncio.Event()).set()

    def release_all(self) -> None:
        self.open = True
        for event in self.releases.values():
            event.set()


@pytest.fixture
def engine() -> StepEngine:
    return StepEngine()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret",
        trace_prestart=False,
        prune_interval_s=0,
        trace_workers=2,
        trace_queue=64,
        trace_queue_share=0.25,  # 16 of 64
        trace_timeout_s=5.0,
    )


@pytest.fixture
async def running(app: FastAPI, engine: StepEngine) -> AsyncIterator[FastAPI]:
    async with app.router.lifespan_context(app):
        service(app).lease_s = 1.0
        yield app
        engine.release_all()


def service(app: FastAPI) -> TraceService:
    return services_of(app).traces


def code(tag: str) -> str:
    return f"import time\n\n\nasync def f():\n    time.sleep(9)  # {tag}\n"


def client_from(recorder: TemplateRecorder, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=recorder, client=(host, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def fresh_cookie_try(recorder: TemplateRecorder, host: str, tag: str) -> httpx.Response:
    """One GET for a fresh cookie, then one Try run of ``time.sleep(9)`` with it."""
    async with client_from(recorder, host) as client:
        token = token_in((await client.get(TRY)).text)
        form = {"csrf_token": token, "code": code(tag), "call": "f()"}
        return await client.post(TRY, data=form)


async def first_done(tasks: list[asyncio.Task[httpx.Response]], n: int) -> list[httpx.Response]:
    """The answers of the first ``n`` requests to finish (the others are still waiting)."""
    done: set[asyncio.Task[httpx.Response]] = set()
    while len(done) < n:
        finished, _ = await asyncio.wait(
            set(tasks) - done, timeout=10, return_when=asyncio.FIRST_COMPLETED
        )
        assert finished, "no request finished"
        done |= finished
    assert len(done) == n
    return [task.result() for task in done]


async def until(predicate: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """Wait for a state that no event announces (a request reaching the queue)."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "the state never came"
        await asyncio.sleep(0.01)


async def test_a_fresh_cookie_flood_leaves_other_addresses_their_turn(
    recorder: TemplateRecorder, engine: StepEngine, running: FastAPI
) -> None:
    flood = [
        asyncio.create_task(fresh_cookie_try(recorder, "198.51.100.66", f"flood {i}"))
        for i in range(FLOOD)
    ]
    # Two run (the workers), 14 wait: 16 is the address's share; the other 4 are refused at once.
    refused = await first_done(flood, 4)
    assert [r.status_code for r in refused] == [503] * 4
    assert all("share of the queue" in r.text for r in refused)
    assert all(r.headers["retry-after"].isdigit() for r in refused)
    first = [await engine.started.get(), await engine.started.get()]

    victim = asyncio.create_task(fresh_cookie_try(recorder, "203.0.113.9", "victim"))
    key = request_key(code("victim"), "f()", ())
    await until(lambda: service(running).progress(key) is not None)
    progress = service(running).progress(key)
    assert progress is not None
    assert progress.ahead == 1

    engine.release(first[0])
    next_run = await engine.started.get()
    assert "victim" not in next_run.file.read_text()  # the flood's turn (round-robin)...
    engine.release(first[1])
    victims_run = await engine.started.get()
    assert "victim" in victims_run.file.read_text()  # ...then the victim's, not the 15th
    engine.release(victims_run)
    answer = await victim
    assert answer.status_code == 303
    assert f"{TRY}/runs/" in answer.headers["location"]

    engine.release_all()
    done = await asyncio.gather(*flood)
    assert sorted(r.status_code for r in done) == [303] * 16 + [503] * 4


async def test_the_excess_of_a_full_queue_gets_a_clean_503(
    recorder: TemplateRecorder, running: FastAPI, settings: Settings
) -> None:
    """Many addresses, each within its share, fill the queue: past it, everyone gets 503."""
    capacity = settings.trace_workers + settings.trace_queue
    tasks = [
        asyncio.create_task(fresh_cookie_try(recorder, f"10.1.{i // 250}.{i % 250}", f"n{i}"))
        for i in range(capacity + 3)
    ]
    refused = await first_done(tasks, 3)
    assert [r.status_code for r in refused] == [503] * 3
    for response in refused:
        assert "busy" in response.text
        assert response.headers["retry-after"].isdigit()
        assert "Traceback" not in response.text


# -- a run whose caller has gone ---------------------------------------------------------------


def form_body(client_token: str, tag: str) -> bytes:
    return urlencode({"csrf_token": client_token, "code": code(tag), "call": "f()"}).encode()


async def post_then_leave(
    app: Any, cookie: str, body: bytes, leave: asyncio.Event
) -> list[dict[str, Any]]:
    """A Try POST driven at the ASGI level: the body, then a disconnect when ``leave`` is set
    (what uvicorn sends when the browser's tab is closed)."""
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await leave.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": TRY,
        "raw_path": TRY.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
            (b"cookie", cookie.encode()),
        ],
        "client": ("198.51.100.5", 40000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    return sent


async def test_a_closed_tab_stops_its_run(
    recorder: TemplateRecorder, engine: StepEngine, running: FastAPI
) -> None:
    async with client_from(recorder, "198.51.100.5") as client:
        token = token_in((await client.get(TRY)).text)
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    service(running).wait_s = 60  # so only the disconnect can end the wait within the test
    leave = asyncio.Event()
    request = asyncio.create_task(post_then_leave(running, cookie, form_body(token, "gone"), leave))
    started = await engine.started.get()
    leave.set()
    cancelled = await asyncio.wait_for(engine.cancelled.get(), 10)
    assert cancelled == started  # the worker (and its sandbox) goes with the caller
    sent = await asyncio.wait_for(request, 10)
    assert sent[0]["status"] == 503
    key = request_key(code("gone"), "f()", ())
    progress = service(running).progress(key)
    assert progress is not None
    assert progress.message == STOPPED_MESSAGE


async def test_a_run_answered_503_after_its_wait_is_stopped(
    recorder: TemplateRecorder, engine: StepEngine, running: FastAPI
) -> None:
    service(running).wait_s = 0.2  # the run itself never ends: it waits for the test
    answer = await fresh_cookie_try(recorder, "198.51.100.6", "slow")
    assert answer.status_code == 503
    assert "still recording" in answer.text
    cancelled = await asyncio.wait_for(engine.cancelled.get(), 10)
    assert "slow" in cancelled.file.read_text()


async def as_caller(caller: Caller, work: Awaitable[RecordedRun]) -> RecordedRun:
    with asking(caller):
        return await work


async def test_a_shared_run_goes_on_while_someone_still_waits(
    engine: StepEngine, running: FastAPI
) -> None:
    traces = service(running)
    lesson = services_of(running).lessons[SLUG].lesson
    one, two = Caller("a" * 32, "198.51.100.1"), Caller("b" * 32, "198.51.100.2")
    first = asyncio.create_task(as_caller(one, traces.record(lesson, "blocking", fresh=True)))
    started = await engine.started.get()
    second = asyncio.create_task(as_caller(two, traces.record(lesson, "blocking")))
    await until(lambda: second_waits(traces))
    one.gone.set()
    with pytest.raises(CallerGone):
        await first
    engine.release(started)
    run = await asyncio.wait_for(second, 10)
    assert run.example == "blocking"
    assert engine.cancelled.empty()


def second_waits(traces: TraceService) -> bool:
    """Both callers wait for the one run (no public view of who waits: a service detail)."""
    return any(flight.waiters == 2 for flight in traces._inflight.values())


async def test_a_polled_run_is_kept_and_stopped_once_polling_ends(
    engine: StepEngine, running: FastAPI
) -> None:
    traces = service(running)
    lesson = services_of(running).lessons[SLUG].lesson
    key = await traces.submit(lesson, "blocking", fresh=True)  # the page shows "recording…"
    await engine.started.get()
    polls_until = time.monotonic() + 2 * traces.lease_s
    while time.monotonic() < polls_until:  # the page polls every 500 ms; here faster
        progress = traces.progress(key)
        assert progress is not None
        assert progress.state == "running"
        await asyncio.sleep(traces.lease_s / 10)
    assert engine.cancelled.empty()
    await asyncio.wait_for(engine.cancelled.get(), 10 * traces.lease_s)  # the page was closed
    with pytest.raises(TraceFailed, match=STOPPED_MESSAGE):
        await traces.wait(key)
