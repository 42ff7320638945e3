"""Anything that starts a run is limited per learner: 429 with Retry-After past the limit."""

from __future__ import annotations

import httpx
import pytest
from app_helpers import HTMX, TemplateRecorder, client_for, csrf_token
from fastapi import FastAPI
from starlette.requests import Request
from test_visual import RUNS, knob_lesson

from lessons import Catalog
from loopscope.app import create_app
from loopscope.learner import Learner
from loopscope.ratelimit import RunLimiter, run_key
from loopscope.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"run_rate": "2/minute"})


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings, catalog=Catalog((knob_lesson(),)))


def knob_form(token: str) -> dict[str, str]:
    return {"csrf_token": token, "run_form": "0", "latency": "0.3", "fresh": "true"}


async def test_a_learner_past_the_limit_gets_429_with_retry_after(
    client: httpx.AsyncClient, token: str
) -> None:
    for _ in range(2):
        assert (await client.post(RUNS, data=knob_form(token))).status_code == 303
    refused = await client.post(RUNS, data=knob_form(token))
    assert refused.status_code == 429
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 60
    assert f"Too many runs: wait {wait} s" in refused.text
    assert "<html" in refused.text  # a whole page without JavaScript


async def test_htmx_gets_the_429_fragment(client: httpx.AsyncClient, token: str) -> None:
    for _ in range(2):
        await client.post(RUNS, data=knob_form(token), headers=HTMX)
    refused = await client.post(RUNS, data=knob_form(token), headers=HTMX)
    assert refused.status_code == 429
    assert "Too many runs" in refused.text
    assert "<html" not in refused.text
    assert "retry-after" in refused.headers


async def test_the_limit_is_per_learner(
    client: httpx.AsyncClient, token: str, recorder: TemplateRecorder
) -> None:
    for _ in range(3):
        await client.post(RUNS, data=knob_form(token))
    async with client_for(recorder) as other:
        other_token = await csrf_token(other)
        assert (await other.post(RUNS, data=knob_form(other_token))).status_code == 303


async def test_perf_measure_again_is_limited_too(client: httpx.AsyncClient, token: str) -> None:
    perf = "/lessons/demo-lesson/perf/cmp1"
    statuses = [(await client.post(perf, data={"csrf_token": token})).status_code for _ in range(3)]
    assert statuses[-1] == 429
    assert 429 not in statuses[:2]


async def test_limiter_counts_per_key_in_a_moving_window() -> None:
    limiter = RunLimiter("2/minute")
    assert [(await limiter.take("a")).allowed for _ in range(3)] == [True, True, False]
    assert (await limiter.take("b")).allowed
    refused = await limiter.take("a")
    assert not refused.allowed
    assert 1 <= refused.retry_after_s <= 60


def _request(client_host: str) -> Request:
    return Request({"type": "http", "method": "POST", "headers": [], "client": (client_host, 1)})


def test_a_cookieless_request_is_counted_by_its_address() -> None:
    fresh = Learner("a" * 32, is_new=True)
    other_fresh = Learner("b" * 32, is_new=True)
    assert run_key(_request("10.0.0.1"), fresh) == run_key(_request("10.0.0.1"), other_fresh)
    known = Learner("c" * 32, is_new=False)
    assert run_key(_request("10.0.0.1"), known) == f"learner:{'c' * 32}"
