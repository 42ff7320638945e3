"""The real server: slow and half-sent requests are cut off, neighbours are served meanwhile."""

from __future__ import annotations

import asyncio
import stat
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from app_factories import make_catalog

from loopscope.app import create_app
from loopscope.settings import Settings
from loopscope.web.server import server_config
from visualizer.pool.authority import default_authority

pytestmark = pytest.mark.anyio

READ_TIMEOUT_S = 0.5


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[tuple[str, int]]:
    settings = settings.model_copy(update={"read_timeout_s": READ_TIMEOUT_S})
    app = create_app(settings, catalog=make_catalog())
    server = uvicorn.Server(server_config(app, settings, host="127.0.0.1", port=0))
    server.config.log_level = "warning"
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield "127.0.0.1", port
    server.should_exit = True
    await task


async def _closed_after(reader: asyncio.StreamReader) -> float:
    started = time.perf_counter()
    while await reader.read(65536):
        pass
    return time.perf_counter() - started


@pytest.mark.parametrize(
    "partial",
    [
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",  # a head that never ends
        b"POST /lessons/demo-lesson/quiz/r1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nchoice=",
    ],
)
async def test_a_request_that_never_arrives_whole_is_cut_off(
    served: tuple[str, int], partial: bytes
) -> None:
    host, port = served
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(partial)
    await writer.drain()
    async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as neighbour:
        started = time.perf_counter()
        assert (await neighbour.get("/healthz")).status_code == 200
        assert time.perf_counter() - started < 2.0
    closed_s = await asyncio.wait_for(_closed_after(reader), timeout=10)
    assert closed_s < READ_TIMEOUT_S + 2.0  # before: held open as long as the client liked
    writer.close()


async def test_a_request_sent_in_time_is_served(served: tuple[str, int]) -> None:
    host, port = served
    reader, writer = await asyncio.open_connection(host, port)
    for piece in (b"GET /healthz HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n", b"\r\n"):
        writer.write(piece)
        await writer.drain()
        await asyncio.sleep(READ_TIMEOUT_S / 5)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
    assert head.startswith(b"HTTP/1.1 200")
    assert b"content-security-policy" in head.lower()
    writer.close()


async def test_the_demo_authority_is_private_and_gone_after_shutdown(
    settings: Settings,
) -> None:
    app = create_app(settings, catalog=make_catalog())
    async with app.router.lifespan_context(app):
        authority = default_authority()  # what the trace engine makes when it starts
        folder = authority.ca_pem.parent
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(authority.key_pem.stat().st_mode) == 0o600
    assert not folder.exists()


def test_serve_takes_its_limits_from_the_settings(settings: Settings) -> None:
    settings = settings.model_copy(
        update={"proxy_headers": True, "forwarded_allow_ips": "10.0.0.1", "max_header_bytes": 8192}
    )
    config = server_config(object(), settings, host="127.0.0.1", port=8000)
    assert config.proxy_headers
    assert config.forwarded_allow_ips == "10.0.0.1"
    assert config.h11_max_incomplete_event_size == 8192
    assert config.timeout_keep_alive == 5
    assert config.limit_concurrency == 1000
    assert not Settings().proxy_headers  # trusted only when configured
