"""Many learners stepping through one recorded trace: is Visual's step route fast enough?

Starts the real app (uvicorn in a subprocess, a temporary LOOPSCOPE_DATA_DIR, 127.0.0.1 only),
records the canonical trace once (the Visual page without htmx waits for it, then links to its
run), and lets ``--learners`` simulated learners step through that run for ``--duration``
seconds: each learner GETs ``/lessons/async-http-client-calls/visualize/runs/{run_id}?step=N``
with ``HX-Request: true`` (the player fragment, as htmx asks for it), steps N = 1, 2, ... and
wraps around, and thinks for a uniform 0.5-1.5 s (``--think-min``, ``--think-max``) between
steps; learners start spread over the first think time. The same load then runs against a bare
FastAPI route (``GET /bare``, a short HTML string, served by uvicorn the same way) for a baseline.

The load generator runs in ``--processes`` separate processes (httpx.AsyncClient, a connection
limit of at least its learners), so it does not starve the server's event loop of CPU as it
would in-process. Everything is bounded: learners, duration, a 10 s timeout per request.
Prints p50, p90, p99 and max latency, requests per second and errors for both, and the ratio.
Target: app p99 under 50 ms with no errors.

Usage: ``python bench/step_load.py [--learners 300] [--duration 30] [--processes 2]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SLUG = "async-http-client-calls"
REQUEST_TIMEOUT_S = 10.0
BARE_HTML = "<p>A bare FastAPI route: no templates, no lookups.</p>"


def bare_app() -> FastAPI:
    """The baseline: uvicorn + FastAPI and nothing else."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/bare", response_class=HTMLResponse)
    async def bare() -> str:
        return BARE_HTML

    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(factory: str, data_dir: Path, *, app_dir: Path = ROOT) -> Iterator[str]:
    """Run ``uvicorn --factory FACTORY`` on a free loopback port until the block ends."""
    port = _free_port()
    url = f"http://{HOST}:{port}"
    command = [
        sys.executable, "-m", "uvicorn", "--factory", factory, "--app-dir", str(app_dir),
        "--host", HOST, "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    log_path = data_dir / f"{factory.replace(':', '_')}.log"
    env = {**os.environ, "LOOPSCOPE_DATA_DIR": str(data_dir)}
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            probe = "/bare" if "bare" in factory else "/healthz"
            while True:
                try:
                    if httpx.get(url + probe, timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{factory} did not start:\n{log_path.read_text()}")
                time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


def record_canonical_run(app_url: str) -> tuple[str, int]:
    """Ask for the Visual page (it waits for the canonical run) and read the run id and steps."""
    page = httpx.get(f"{app_url}/lessons/{SLUG}/visualize", timeout=60)
    page.raise_for_status()
    found = re.search(r"/visualize/runs/([A-Za-z0-9_-]{8,64})", page.text)
    if found is None:
        raise RuntimeError("the Visual page links to no recorded run")
    run_id = found.group(1)
    steps = [int(s) for s in re.findall(rf"/runs/{re.escape(run_id)}\?step=(\d+)", page.text)]
    return run_id, max(steps, default=1)


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    elapsed_s: float = 0.0

    def merge(self, other: Outcome) -> None:
        self.latencies_ms += other.latencies_ms
        self.errors += other.errors
        self.elapsed_s = max(self.elapsed_s, other.elapsed_s)


async def _learner(
    client: httpx.AsyncClient,
    urls: list[str],
    end: float,
    think: tuple[float, float],
    rng: random.Random,
    outcome: Outcome,
) -> None:
    step = rng.randrange(len(urls))
    await asyncio.sleep(rng.uniform(0, think[1]))  # spread the learners' first clicks
    while time.monotonic() < end:
        started = time.perf_counter()
        try:
            response = await client.get(urls[step])
            if response.status_code == 200:
                outcome.latencies_ms.append((time.perf_counter() - started) * 1000)
            else:
                outcome.errors[f"HTTP {response.status_code}"] += 1
        except httpx.HTTPError as exc:
            outcome.errors[type(exc).__name__] += 1
        step = (step + 1) % len(urls)
        await asyncio.sleep(rng.uniform(*think))


async def _load(
    urls: list[str], learners: int, duration_s: float, think: tuple[float, float], seed: int
) -> Outcome:
    outcome = Outcome()
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=learners, max_keepalive_connections=learners)
    headers = {"HX-Request": "true", "HX-Request-Type": "partial"}
    async with httpx.AsyncClient(
        limits=limits, headers=headers, timeout=REQUEST_TIMEOUT_S
    ) as client:
        started = time.monotonic()
        end = started + duration_s
        await asyncio.gather(
            *(_learner(client, urls, end, think, rng, outcome) for _ in range(learners))
        )
        outcome.elapsed_s = time.monotonic() - started
    return outcome


def load_process(
    urls: list[str], learners: int, duration_s: float, think: tuple[float, float], seed: int
) -> Outcome:
    """One load-generator process: its share of the learners, on its own event loop."""
    return asyncio.run(_load(urls, learners, duration_s, think, seed))


def run_load(
    urls: list[str], learners: int, duration_s: float, think: tuple[float, float], processes: int
) -> Outcome:
    shares = [
        learners // processes + (1 if i < learners % processes else 0) for i in range(processes)
    ]
    total = Outcome()
    with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(load_process, urls, share, duration_s, think, seed)
            for seed, share in enumerate(shares)
            if share
        ]
        for future in futures:
            total.merge(future.result())
    return total


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def describe(name: str, outcome: Outcome) -> None:
    ok = outcome.latencies_ms
    errors = sum(outcome.errors.values())
    rps = (len(ok) + errors) / outcome.elapsed_s if outcome.elapsed_s else 0.0
    print(
        f"  {name:<10} requests {len(ok) + errors:6d}   {rps:6.1f} req/s"
        f"   p50 {percentile(ok, 0.5):6.1f} ms   p90 {percentile(ok, 0.9):6.1f} ms"
        f"   p99 {percentile(ok, 0.99):6.1f} ms   max {max(ok, default=float('nan')):6.1f} ms"
        f"   mean {statistics.fmean(ok) if ok else float('nan'):6.1f} ms"
        f"   errors {errors}" + (f" {dict(outcome.errors)}" if errors else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--learners",
        type=int,
        default=300,
        choices=range(1, 2001),
        metavar="N",
        help="simulated learners (1-2000, default 300)",
    )
    parser.add_argument(
        "--duration", type=float, default=30.0, help="seconds of load per target (default 30)"
    )
    parser.add_argument("--think-min", type=float, default=0.5, help="seconds (default 0.5)")
    parser.add_argument("--think-max", type=float, default=1.5, help="seconds (default 1.5)")
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        choices=range(1, 9),
        metavar="P",
        help="load-generator processes (1-8, default 2)",
    )
    args = parser.parse_args()  # fmt: skip
    if not 0 < args.duration <= 600 or not 0 <= args.think_min <= args.think_max <= 60:
        parser.error("need 0 < duration <= 600 and 0 <= think-min <= think-max <= 60")
    think = (args.think_min, args.think_max)

    with tempfile.TemporaryDirectory(prefix="loopscope-bench-") as tmp:
        data_dir = Path(tmp)
        with (
            serve("loopscope.app:create_app", data_dir) as app_url,
            serve("step_load:bare_app", data_dir, app_dir=Path(__file__).parent) as bare_url,
        ):
            run_id, steps = record_canonical_run(app_url)
            base = f"{app_url}/lessons/{SLUG}/visualize/runs/{run_id}"
            step_urls = [f"{base}?step={n}" for n in range(1, steps + 1)]
            print(f"step_load: {args.learners} learners, {args.duration:g} s per target,"
                  f" think {think[0]:g}-{think[1]:g} s, {args.processes} load processes,"
                  f" {os.cpu_count()} CPUs")  # fmt: skip
            print(f"  canonical run {run_id}: {steps} steps, e.g. {step_urls[0]}")
            for url in (step_urls[0], f"{bare_url}/bare"):  # warm both (imports, caches)
                for _ in range(20):
                    httpx.get(url, headers={"HX-Request": "true"}, timeout=REQUEST_TIMEOUT_S)
            app = run_load(step_urls, args.learners, args.duration, think, args.processes)
            bare = run_load([f"{bare_url}/bare"], args.learners, args.duration, think,
                            args.processes)  # fmt: skip
    print("results (latency of successful responses, seen by the client):")
    describe("step route", app)
    describe("bare route", bare)
    for label, q in (("p50", 0.5), ("p99", 0.99)):
        a, b = percentile(app.latencies_ms, q), percentile(bare.latencies_ms, q)
        print(f"  {label} ratio step/bare: {a / b:5.1f}x ({a:.1f} ms vs {b:.1f} ms)")
    p99 = percentile(app.latencies_ms, 0.99)
    errors = sum(app.errors.values())
    verdict = "met" if p99 < 50 and errors == 0 else "MISSED"
    print(f"  target (step p99 < 50 ms, no errors): {verdict}")


if __name__ == "__main__":
    main()
