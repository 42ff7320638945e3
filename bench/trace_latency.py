"""How long from asking for a trace of the canonical example to having it? Target p50 < 300 ms.

Latency = time to get the ``Trace`` minus the example's own ``wall_ms``: the engine's cost
(process, pipes, instrumentation, condensing, JSON). Measured through ``TraceEngine`` with warm
workers (the engine is given time to warm its workers between requests, as a web app between
clicks) and through a cold ``run_trace`` (a fresh process that imports and warms up first).
Usage: ``python bench/trace_latency.py [--runs N] [--cold-runs N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from visualizer import TraceEngine, TraceRequest, run_trace

CANONICAL = """\
import httpx


async def fetch_data(url: str) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    return response.text
"""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(name: str, latencies: list[float], walls: list[float]) -> None:
    print(
        f"  {name:<28} runs {len(latencies):3d}   p50 {percentile(latencies, 0.5):6.0f} ms"
        f"   p90 {percentile(latencies, 0.9):6.0f} ms   (example wall p50"
        f" {statistics.median(walls):.0f} ms)"
    )


async def warm(request: TraceRequest, runs: int) -> tuple[list[float], list[float]]:
    latencies: list[float] = []
    walls: list[float] = []
    async with TraceEngine(workers=2, queue_size=8) as engine:
        for _ in range(runs):
            await engine.warm()
            started = time.perf_counter()
            trace = await engine.trace(request)
            elapsed = (time.perf_counter() - started) * 1000.0
            assert len(trace.steps) == 7, [s.action for s in trace.steps]
            latencies.append(elapsed - trace.wall_ms)
            walls.append(trace.wall_ms)
    return latencies, walls


def cold(request: TraceRequest, runs: int) -> tuple[list[float], list[float]]:
    latencies: list[float] = []
    walls: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        trace = run_trace(request)
        elapsed = (time.perf_counter() - started) * 1000.0
        latencies.append(elapsed - trace.wall_ms)
        walls.append(trace.wall_ms)
    return latencies, walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        file = Path(directory) / "canonical.py"
        file.write_text(CANONICAL)
        request = TraceRequest(file, 'fetch_data("https://api.example.com/data")')
        run_trace(request)  # the CA is generated once per process; not part of a trace
        print("trace latency (time to the Trace minus the example's wall_ms), canonical example")
        report("TraceEngine, warm workers", *asyncio.run(warm(request, args.runs)))
        report("run_trace, cold process", *cold(request, args.cold_runs))


if __name__ == "__main__":
    main()
