"""The warm worker pool: concurrent traces, a bounded queue, a loop that stays free."""

import asyncio

import pytest
from tracesamples import SAMPLES

from visualizer import EngineBusy, NotAwaitable, TraceEngine, TraceRequest

pytestmark = [pytest.mark.slow, pytest.mark.anyio]
REQUEST = TraceRequest(SAMPLES / "canonical.py", 'fetch_data("https://api.example.com/data")')


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_traces_run_in_warm_workers_and_the_loop_stays_free() -> None:
    progress: list[str] = []
    running = asyncio.Event()

    def seen(_request: TraceRequest, state: str) -> None:
        progress.append(state)
        if state == "running":
            running.set()

    async with TraceEngine(workers=2, queue_size=4, on_progress=seen) as engine:
        await engine.warm()

        async def other_work() -> int:
            """Another request's work: it gets the loop as soon as a trace is running, long
            before the traces are done, unless waiting for a worker blocks the loop."""
            await running.wait()
            return progress.count("done")

        other = asyncio.create_task(other_work())
        traces = await asyncio.gather(*(engine.trace(REQUEST) for _ in range(3)))
    assert [len(t.steps) for t in traces] == [7, 7, 7]
    assert other.result() < 3  # it ran while traces were still in flight
    assert progress.count("done") == 3


async def test_a_full_queue_raises_engine_busy() -> None:
    async with TraceEngine(workers=1, queue_size=0) as engine:
        results = await asyncio.gather(
            engine.trace(REQUEST), engine.trace(REQUEST), return_exceptions=True
        )
    assert sorted(type(r).__name__ for r in results) == ["EngineBusy", "Trace"]
    assert isinstance(next(r for r in results if not hasattr(r, "steps")), EngineBusy)


async def test_bad_input_raises_and_the_engine_carries_on() -> None:
    async with TraceEngine(workers=1) as engine:
        with pytest.raises(NotAwaitable):
            await engine.trace(TraceRequest(SAMPLES / "bad_input.py", "not_async()"))
        trace = await engine.trace(REQUEST)
    assert trace.error is None


async def test_a_burst_is_served_from_workers_started_ahead_and_the_pool_refills() -> None:
    """``warm`` workers wait ready; taking one starts its replacement at once."""
    async with TraceEngine(workers=1, warm=3, queue_size=4) as engine:
        await engine.warm(30)
        assert engine.ready == 3
        traces = await asyncio.gather(*(engine.trace(REQUEST) for _ in range(3)))
        assert [len(trace.steps) for trace in traces] == [7, 7, 7]
        await engine.warm(30)
        assert engine.ready == 3  # refilled to the pool's size, not to workers=1


def test_the_pool_is_never_smaller_than_the_runs_at_once() -> None:
    with pytest.raises(ValueError, match="warm"):
        TraceEngine(workers=3, warm=2)
