"""Perf's measuring turn: bounded waits with 503 + Retry-After; reading a run takes no turn."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from app_helpers import HTMX
from fastapi import FastAPI
from trace_fakes import FakeEngine

from loopscope.services import services_of

pytestmark = pytest.mark.anyio

COMPARISON = "/lessons/demo-lesson/perf/cmp1"


async def test_a_recorded_comparison_is_served_while_another_measures(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, running: FastAPI
) -> None:
    assert (await client.get(COMPARISON, headers=HTMX)).status_code == 200  # recorded once
    services_of(running).traces.measure_wait_s = 0.3
    engine.gate = asyncio.Event()  # the next runs hang until the gate opens
    measuring = asyncio.create_task(
        client.post(COMPARISON, data={"csrf_token": token}, headers=HTMX)
    )
    await asyncio.wait_for(engine.held.wait(), timeout=5)  # its slow side is being recorded
    assert services_of(running).traces.measuring.locked()

    cached = await asyncio.wait_for(client.get(COMPARISON, headers=HTMX), timeout=5)
    assert cached.status_code == 200  # before: it queued behind the lock for as long as it took

    refused = await asyncio.wait_for(
        client.post(COMPARISON, data={"csrf_token": token}, headers=HTMX), timeout=5
    )
    assert refused.status_code == 503
    assert refused.headers["retry-after"].isdigit()
    assert "Try again" in refused.text

    engine.gate.set()
    assert (await measuring).status_code == 200
    assert not services_of(running).traces.measuring.locked()
