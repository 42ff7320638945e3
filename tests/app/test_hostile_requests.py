"""A hostile request costs its sender, not the neighbours: cookies, header sizes, hosts."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from app_helpers import TemplateRecorder, client_for

from loopscope.web.middleware.learner import COOKIE_NAME, cookie_value

pytestmark = pytest.mark.anyio

HOSTILE = '"' + "\\" * 60_000 + '"'


async def _timed(client: httpx.AsyncClient, path: str, **kwargs: object) -> tuple[int, float]:
    started = time.perf_counter()
    response = await client.get(path, **kwargs)  # type: ignore[arg-type]
    return response.status_code, time.perf_counter() - started


async def test_a_backslash_cookie_does_not_hold_up_a_neighbour(
    recorder: TemplateRecorder,
) -> None:
    async with client_for(recorder) as hostile, client_for(recorder) as neighbour:
        (status, _), (neighbour_status, neighbour_s) = await asyncio.gather(
            _timed(hostile, "/healthz", headers={"Cookie": f"{COOKIE_NAME}={HOSTILE}"}),
            _timed(neighbour, "/healthz"),
        )
    assert status == 431
    assert neighbour_status == 200
    assert neighbour_s < 2.0  # generous: before, the neighbour waited 14 s behind the parse


def test_reading_the_cookie_is_linear_and_refuses_what_is_not_a_token() -> None:
    header = f"a=1; {COOKIE_NAME}={HOSTILE}; b=2" * 10
    started = time.perf_counter()
    assert cookie_value(header, COOKIE_NAME) is None
    assert time.perf_counter() - started < 0.5  # 600 KB; SimpleCookie needs minutes
    assert cookie_value(f"x=1; {COOKIE_NAME}=abc.DEF-_1", COOKIE_NAME) == "abc.DEF-_1"


async def test_a_small_hostile_cookie_just_gets_a_fresh_learner(client: httpx.AsyncClient) -> None:
    response = await client.get("/", headers={"Cookie": f'{COOKIE_NAME}="\\\\\\x"'})
    assert response.status_code == 200
    assert COOKIE_NAME in response.headers["set-cookie"]


async def test_an_oversized_head_is_refused_with_431(client: httpx.AsyncClient) -> None:
    response = await client.get("/", headers={"X-Padding": "a" * 20_000})
    assert response.status_code == 431
    assert "traceback" not in response.text.lower()


async def test_an_unknown_host_is_refused(recorder: TemplateRecorder) -> None:
    transport = httpx.ASGITransport(app=recorder)
    async with httpx.AsyncClient(transport=transport, base_url="http://evil.example") as client:
        assert (await client.get("/")).status_code == 400


async def test_backslash_pairs_are_dropped_before_anything_parses_cookies(
    recorder: TemplateRecorder,
) -> None:
    # Under the 4 KB cap, yet Starlette's cookie_parser (which FastAPI calls on every request)
    # would spend seconds on it: the pair is dropped, the learner's own cookie kept.
    hostile = '"' + "\\" * 4000 + '"'
    async with client_for(recorder) as browser:
        await browser.get("/")
        own = browser.cookies[COOKIE_NAME]
        started = time.perf_counter()
        response = await browser.get(
            "/", headers={"Cookie": f"junk={hostile}; {COOKIE_NAME}={own}"}
        )
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert "set-cookie" not in response.headers  # the learner was recognised
    assert elapsed < 1.0  # generous: parsing it took over a second on this Python
