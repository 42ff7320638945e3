"""TraceService with the real engine: a real run, recorded once, shared, and kept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lessons import load_catalog
from lessons.models import Lesson
from loopscope.runs.service import TraceService, request_key, trace_service
from loopscope.settings import Settings
from loopscope.storage import Store

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.fixture(scope="module")
def lesson() -> Lesson:
    found = load_catalog().get("async-http-client-calls")
    assert found is not None
    return found


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="k", trace_workers=1, trace_queue=2)


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[Store]:
    store = await Store.open(settings.resolved_database_url)
    yield store
    await store.close()


@pytest.fixture
async def service(settings: Settings, store: Store) -> AsyncIterator[TraceService]:
    service = trace_service(settings, store)
    yield service
    await service.aclose()


async def test_a_real_run_is_recorded_shared_and_kept(
    lesson: Lesson, settings: Settings, store: Store, service: TraceService
) -> None:
    first, second = await asyncio.gather(
        service.record(lesson, "canonical", fresh=True),
        service.record(lesson, "canonical", fresh=True),
    )
    assert first.id == second.id  # one in-flight run, shared
    clients = [state["client"] for state in first.trace.variables]
    assert clients[1] == "AsyncClient (open)"
    assert clients[4] == "AsyncClient (closed)"
    assert first.trace.variables[3]["response"] == "Response [200 OK]"

    again = await service.record(lesson, "canonical")
    assert again.id == first.id  # an identical request reuses the recorded run

    restarted = trace_service(settings, store)  # a new process: only the database remembers
    try:
        kept = await restarted.get(first.id)
        assert kept is not None
        assert kept.trace == first.trace
        # stored as the worker wrote it, byte for byte: no parse-and-re-dump before storing
        assert kept.trace.json_bytes() == first.trace.json_bytes()
    finally:
        await restarted.aclose()


async def test_progress_reports_the_run(lesson: Lesson, service: TraceService) -> None:
    key = await service.submit(lesson, "fan_out", call="fan_out_shared(int(2))", fresh=True)
    progress = service.progress(key)
    assert progress is not None
    assert progress.state in ("queued", "running")
    run = await service.wait(key)
    assert run.trace.tcp_connects == 2
    done = service.progress(key)
    assert done is not None
    assert (done.state, done.run_id) == ("done", run.id)


def test_the_request_key_is_the_content_call_and_watch() -> None:
    assert request_key("a", "f()", ()) != request_key("b", "f()", ())
    assert request_key("a", "f()", ()) != request_key("a", "f()", ("x",))
