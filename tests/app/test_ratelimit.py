"""Anything that starts a run is limited per learner and per client address: 429 with
Retry-After past either limit."""

from __future__ import annotations

import httpx
import pytest
from app_helpers import HTMX, TemplateRecorder, client_for, csrf_token
from fastapi import FastAPI
from pydantic import ValidationError
from test_visual import RUNS, knob_lesson
from trace_fakes import FakeEngine

from lessons import Catalog
from loopscope.app import create_app
from loopscope.settings import Settings
from loopscope.web.middleware.ratelimit import RunLimiter
from loopscope.web.server import server_config

pytestmark = pytest.mark.anyio


@pytest.fixture
def run_rate_per_address() -> str:
    return "100/minute"


@pytest.fixture
def settings(settings: Settings, run_rate_per_address: str) -> Settings:
    return settings.model_copy(
        update={"run_rate": "2/minute", "run_rate_per_address": run_rate_per_address}
    )


@pytest.fixture
def app(settings: Settings, engine: FakeEngine) -> FastAPI:
    return create_app(settings, catalog=Catalog((knob_lesson(),)), engine=engine)


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


async def test_limiter_counts_per_learner_in_a_moving_window() -> None:
    limiter = RunLimiter("2/minute", per_address="100/minute")
    takes = [(await limiter.take(learner="a", address="10.0.0.1")).allowed for _ in range(3)]
    assert takes == [True, True, False]
    assert (await limiter.take(learner="b", address="10.0.0.1")).allowed
    refused = await limiter.take(learner="a", address="10.0.0.1")
    assert not refused.allowed
    assert 1 <= refused.retry_after_s <= 60


async def test_fresh_learners_from_one_address_share_its_count() -> None:
    limiter = RunLimiter("2/minute", per_address="3/minute")
    fresh = [(await limiter.take(learner=f"l{i}", address="10.0.0.1")).allowed for i in range(4)]
    assert fresh == [True, True, True, False]
    assert (await limiter.take(learner="l9", address="10.0.0.2")).allowed  # another address


async def test_a_refused_run_counts_against_neither_key() -> None:
    limiter = RunLimiter("1/minute", per_address="2/minute")
    assert (await limiter.take(learner="a", address="10.0.0.1")).allowed
    # The learner is over its limit: the address's count must not move.
    assert not (await limiter.take(learner="a", address="10.0.0.1")).allowed
    assert (await limiter.take(learner="b", address="10.0.0.1")).allowed
    assert not (await limiter.take(learner="c", address="10.0.0.1")).allowed


async def test_a_cookieless_run_is_counted_by_its_address_alone() -> None:
    limiter = RunLimiter("1/minute")  # no address rate: the address gets a learner's
    assert (await limiter.take(learner="", address="10.0.0.1")).allowed
    assert not (await limiter.take(learner="", address="10.0.0.1")).allowed


def _client_from(recorder: TemplateRecorder, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=recorder, client=(host, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _fresh_cookie_run(client: httpx.AsyncClient) -> int:
    """One GET for a fresh cookie, then one run with it (the flood from issue 14)."""
    client.cookies.clear()
    token = await csrf_token(client)
    return (await client.post(RUNS, data=knob_form(token))).status_code


@pytest.mark.parametrize("run_rate_per_address", ["3/minute"])
async def test_fresh_cookies_do_not_reset_the_address_limit(recorder: TemplateRecorder) -> None:
    async with _client_from(recorder, "198.51.100.7") as flood:
        statuses = [await _fresh_cookie_run(flood) for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    async with _client_from(recorder, "198.51.100.8") as other:
        assert await _fresh_cookie_run(other) == 303


@pytest.mark.parametrize("run_rate_per_address", ["3/minute"])
async def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(
    running: FastAPI, settings: Settings
) -> None:
    """Through uvicorn's own proxy handling, as ``loopscope serve`` configures it: the proxy
    (127.0.0.1, trusted) forwards two clients; an untrusted peer cannot pick its address."""
    trusting = settings.model_copy(update={"proxy_headers": True})
    config = server_config(running, trusting, host="127.0.0.1", port=0)
    config.load()

    def through(peer: str, forwarded: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=config.loaded_app, client=(peer, 40000))
        return httpx.AsyncClient(
            transport=transport,
            base_url="http://testserver",
            headers={"X-Forwarded-For": forwarded},
        )

    async with through("127.0.0.1", "203.0.113.5") as first:
        assert [await _fresh_cookie_run(first) for _ in range(4)][-1] == 429
    async with through("127.0.0.1", "203.0.113.6") as second:
        assert await _fresh_cookie_run(second) == 303
    # A peer that is not the proxy: its header is ignored, its own address counts.
    async with through("192.0.2.1", "203.0.113.99") as spoofing:
        assert [await _fresh_cookie_run(spoofing) for _ in range(3)] == [303, 303, 303]
        assert await _fresh_cookie_run(spoofing) == 429
        spoofing.headers["X-Forwarded-For"] = "203.0.113.100"
        assert await _fresh_cookie_run(spoofing) == 429


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOOPSCOPE_RUN_RATE_PER_ADDRESS", "lots"),
        ("LOOPSCOPE_TRACE_QUEUE_SHARE", "0"),
        ("LOOPSCOPE_TRACE_QUEUE_SHARE", "1.5"),
        ("LOOPSCOPE_RUN_BUDGET_MB", "0"),
        ("LOOPSCOPE_RUN_STORAGE_MB", "0.5"),
    ],
)
def test_the_fair_load_settings_refuse_values_out_of_bounds(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_an_address_always_gets_at_least_one_place() -> None:
    assert Settings(trace_queue=2, trace_queue_share=0.1).trace_address_share == 1
    assert Settings(trace_queue=64, trace_queue_share=0.25).trace_address_share == 16
