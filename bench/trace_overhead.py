"""How much does tracing slow the traced code down? Target: at most 1.5x.

30 rounds of ``asyncio.gather`` over 10 GETs over https with one shared client, run untraced
and traced in this same process against the same demo upstream (same routing, same TLS),
alternating, several repetitions, for two workloads: one that sleeps (``/delay/0.005``, a 5 ms
upstream: its waits hide part of the cost) and one that does not (``/json``: the cost shows
whole). Prints the medians and their ratio for each. Usage:
``python bench/trace_overhead.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from visualizer.contract.caps import HARD_MAX_EVENTS
from visualizer.contract.request import Limits
from visualizer.pool.authority import default_authority
from visualizer.worker.netroute import Route, Tap, install
from visualizer.worker.session import run_traced
from visualizer.worker.upstream import start_upstream

WORKLOAD = """\
import asyncio

import httpx


async def fetch(client, number):
    response = await client.get("https://api.example.com/delay/0.005")
    return response.status_code


async def main(rounds=30):
    async with httpx.AsyncClient() as client:
        for _ in range(rounds):
            statuses = await asyncio.gather(*(fetch(client, n) for n in range(10)))
    return len(statuses)
"""
CALL = "main()"
# The same work against an upstream that answers at once: nothing to hide the tracer's cost.
WORKLOAD_JSON = WORKLOAD.replace("/delay/0.005", "/json")
WORKLOADS = {
    "sleeping, /delay/0.005": WORKLOAD,
    "not sleeping, /json": WORKLOAD_JSON,
}


def untraced(file: Path) -> float:
    namespace: dict[str, object] = {"__name__": "workload"}
    exec(compile(file.read_text(), str(file), "exec"), namespace)
    coroutine = eval(CALL, namespace)
    started = time.perf_counter()
    with asyncio.Runner() as runner:
        runner.run(coroutine)
    return (time.perf_counter() - started) * 1000.0


def traced(file: Path, tap: Tap) -> float:
    run = run_traced(file, CALL, (), Limits(wall_s=60, max_events=HARD_MAX_EVENTS), tap)
    assert run.error is None, run.error
    assert run.stopped is None, run.stopped
    return run.wall_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    authority = default_authority()
    upstream = start_upstream(str(authority.cert_pem), str(authority.key_pem))
    tap = Tap(Route(upstream.http_port, upstream.https_port, str(authority.ca_pem)), {})
    install(tap)
    for name, workload in WORKLOADS.items():
        with tempfile.TemporaryDirectory() as directory:
            file = Path(directory) / "workload.py"
            file.write_text(workload)
            untraced(file), traced(file, tap)  # warm-up: imports, TLS trust store
            plain: list[float] = []
            instrumented: list[float] = []
            for _ in range(args.repeat):
                plain.append(untraced(file))
                instrumented.append(traced(file, tap))
            limits = Limits(wall_s=60, max_events=HARD_MAX_EVENTS)
            events = len(run_traced(file, CALL, (), limits, tap).records)
        plain_ms, traced_ms = statistics.median(plain), statistics.median(instrumented)
        print(f"trace overhead: 30 rounds x gather(10 GETs), https, shared client; {name}")
        print(f"  repetitions       {args.repeat}")
        print(f"  untraced median   {plain_ms:8.1f} ms   (all: {_list(plain)})")
        print(f"  traced median     {traced_ms:8.1f} ms   (all: {_list(instrumented)})")
        print(f"  events per traced run: {events}")
        ratio = traced_ms / plain_ms
        verdict = "met" if ratio <= 1.5 else "MISSED"
        print(f"  ratio traced/untraced: {ratio:.2f}x  (target <= 1.5x: {verdict})")


def _list(values: list[float]) -> str:
    return ", ".join(f"{value:.0f}" for value in values)


if __name__ == "__main__":
    main()
