"""What a suspended task waits on, named from what it awaited (``visualizer.worker.waiting``)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import httpx
import pytest

from visualizer.worker.waiting import waiting_on

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def closed(coroutine: Coroutine[Any, Any, Any]) -> Coroutine[Any, Any, Any]:
    """Keep ``coroutine`` to classify, closed at once (it is never run)."""
    coroutine.close()
    return coroutine


async def test_asyncio_primitives_are_named_by_their_class() -> None:
    semaphore, lock, event = asyncio.Semaphore(1), asyncio.Lock(), asyncio.Event()
    assert waiting_on(None, semaphore, None) == "semaphore"  # `async with sem:`
    assert waiting_on(closed(lock.acquire()), None, None) == "lock"
    assert waiting_on(closed(event.wait()), None, None) == "event"
    queue: asyncio.Queue[int] = asyncio.Queue()
    assert waiting_on(closed(queue.get()), None, None) == "queue"
    assert waiting_on(closed(asyncio.sleep(1)), None, None) == "sleep"


async def test_tasks_and_threads() -> None:
    loop = asyncio.get_running_loop()
    task = loop.create_task(asyncio.sleep(0))
    assert waiting_on(task, None, task) == "tasks"
    future = loop.run_in_executor(None, int)
    assert waiting_on(future, None, future) == "thread"
    await asyncio.gather(task, future)


async def test_http_calls_wait_on_the_network_and_a_body_on_the_stream() -> None:
    async with httpx.AsyncClient() as client:
        assert waiting_on(closed(client.get("https://x.example.com/")), None, None) == "network"
        response = httpx.Response(200, content=b"a\nb\n")
        lines = response.aiter_lines()
        assert waiting_on(None, lines, None) == "stream"
        await lines.aclose()  # type: ignore[attr-defined]


async def test_a_bare_future_is_not_named() -> None:
    future = asyncio.get_running_loop().create_future()
    assert waiting_on(future, None, future) is None
    future.cancel()
