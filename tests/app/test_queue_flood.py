"""A flood of runs fills the trace queue: the excess gets clean 503s, pages stay fast, and the
engine is never handed more runs than its workers (the service's fair queue holds the rest)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from app_helpers import HTMX, TemplateRecorder, client_for, csrf_token
from fastapi import FastAPI
from test_visual import RUNS, knob_lesson
from trace_fakes import FakeEngine

from lessons import Catalog
from loopscope.app import create_app
from loopscope.settings import Settings
from visualizer import EngineBusy, Trace, TraceRequest

pytestmark = pytest.mark.anyio

WORKERS, QUEUE = 1, 2
# One client floods: it holds at most its share, the whole queue (trace_queue_share 1.0), and its
# running runs count against it; the service refuses the rest.
CAPACITY = QUEUE


class BoundedEngine(FakeEngine):
    """Refuses a run past its workers (the service must queue them); runs wait for the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.holding = 0

    async def trace(self, request: TraceRequest) -> Trace:
        if self.holding >= WORKERS:
            raise EngineBusy(f"the service handed {self.holding + 1} runs to {WORKERS} workers")
        self.holding += 1
        try:
            return await super().trace(request)
        finally:
            self.holding -= 1


@pytest.fixture
def engine() -> FakeEngine:
    return BoundedEngine()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "run_rate": "1000/minute",
            "run_rate_per_address": "1000/minute",
            "trace_workers": WORKERS,
            "trace_queue": QUEUE,
            "trace_queue_share": 1.0,
        }
    )


@pytest.fixture
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def app(settings: Settings, engine: FakeEngine) -> FastAPI:
    return create_app(settings, catalog=Catalog((knob_lesson(),)), engine=engine)


async def test_a_flood_of_runs_gets_503s_while_pages_stay_fast(
    recorder: TemplateRecorder, engine: FakeEngine
) -> None:
    async with client_for(recorder, raise_app_exceptions=False) as client:
        token = await csrf_token(client)
        forms = [
            {"csrf_token": token, "run_form": "0", "latency": f"{i / 10:.1f}", "fresh": "true"}
            for i in range(20)
        ]
        flood = [asyncio.create_task(client.post(RUNS, data=f, headers=HTMX)) for f in forms]
        started = time.perf_counter()
        page = await client.get("/lessons/demo-lesson/deep")
        page_s = time.perf_counter() - started
        # Accepted runs answer at once with "recording…" (htmx polls); they hold the queue.
        responses = await asyncio.wait_for(asyncio.gather(*flood), timeout=30)
        assert engine.gate is not None
        engine.gate.set()
    statuses = sorted(r.status_code for r in responses)
    assert page.status_code == 200
    assert page_s < 5.0  # generous (a shared CI machine): the page does not wait for runs
    assert set(statuses) <= {200, 503}
    assert statuses.count(503) == len(forms) - CAPACITY
    for refused in (r for r in responses if r.status_code == 503):
        assert refused.headers["retry-after"].isdigit()
        assert "share of the queue" in refused.text  # one client: its share runs out first
        assert "Traceback" not in refused.text
