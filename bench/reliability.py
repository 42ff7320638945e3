"""The reliability suite, longer: the figures issue 7 asks for, measured on the real server.

1. Fuzz: ``--fuzz`` requests drawn by the test suite's hypothesis strategies (every route, its
   query parameters and form fields) against the app in this process (trace engine stubbed);
   prints requests sent, the status classes seen and the 5xx count (target: 0).
2. Hostile cookie: a neighbour's /healthz latency alone, then beside requests carrying a Cookie
   of backslashes (4 KB: read by the app; 60 KB: refused by the server), on the real server in a
   subprocess (target: under 100 ms of added latency).
3. kill -9: a burst of quiz answers from several learners, the server killed with SIGKILL
   mid-burst; answers acknowledged against answers found, and PRAGMA integrity_check.
4. Memory: the server's RSS idle, then after ``--steps`` Visual step URLs with hostile step
   numbers (1..100,000) asked as htmx would (target: within 50 MB of idle).

Everything runs on 127.0.0.1 with temporary data directories and bounded counts.
Usage: ``python bench/reliability.py [--fuzz 2000] [--steps 10000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from pages_load import REQUEST_TIMEOUT_S, SLUG, record_visual_run, serve

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "app"), str(ROOT / "tests" / "reliability")]

HOSTILE_SIZES = (4_000, 60_000)
BACKSLASH = "\\"


# --- 1. fuzz ----------------------------------------------------------------------------------


def fuzz(count: int) -> Counter[str]:
    from anyio.from_thread import start_blocking_portal
    from app_factories import make_catalog
    from app_helpers import BASE_URL, csrf_token
    from fuzzing import FuzzRequest, is_clean, requests_for, route_shapes
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from test_fuzz_routes import _use_fake_engine

    from loopscope.app import create_app
    from loopscope.settings import Settings

    seen: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="loopscope-fuzz-") as tmp:
        config = Settings(
            data_dir=Path(tmp) / "data",
            secret_key="bench",
            trace_prestart=False,
            prune_interval_s=0,
            run_rate="1000000/minute",
            run_rate_per_address="1000000/minute",
            allowed_hosts=("testserver",),
        )
        app = create_app(config, catalog=make_catalog())
        with (
            start_blocking_portal(backend="asyncio") as portal,
            portal.wrap_async_context_manager(app.router.lifespan_context(app)),
        ):
            portal.call(_use_fake_engine, app, Path(tmp) / "sources")
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            client = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
            token = portal.call(csrf_token, client)
            shapes = route_shapes(app)

            async def send(request: FuzzRequest) -> httpx.Response:
                return await client.request(
                    request.method, request.url, params=request.params, data=request.form or None
                )

            @settings(
                max_examples=count,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(st.data())
            def one(data: st.DataObject) -> None:
                response = portal.call(send, data.draw(requests_for(shapes, token)))
                seen[f"{response.status_code // 100}xx"] += 1
                if not is_clean(response.status_code, response.text):
                    seen["unclean"] += 1

            one()
            portal.call(client.aclose)
    return seen


# --- 2. hostile cookie --------------------------------------------------------------------------


async def _timed_get(client: httpx.AsyncClient, path: str, cookie: str | None = None) -> float:
    headers = {"Cookie": cookie} if cookie else None
    started = time.perf_counter()
    # A refused hostile request may be cut off: its neighbour is what is measured.
    with contextlib.suppress(httpx.HTTPError):
        await client.get(path, headers=headers)
    return (time.perf_counter() - started) * 1000


async def neighbour_latency(url: str, size: int | None, rounds: int = 20) -> float:
    """Median latency of a neighbour's /healthz, alone or beside a hostile request."""
    cookie = 'loopscope_learner="' + BACKSLASH * size + '"' if size else None
    latencies = []
    async with (
        httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S) as neighbour,
        httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S) as hostile,
    ):
        for _ in range(rounds):
            if cookie is None:
                latencies.append(await _timed_get(neighbour, "/healthz"))
                continue
            attack = asyncio.create_task(_timed_get(hostile, "/", cookie))
            await asyncio.sleep(0.005)  # the hostile request goes first
            latencies.append(await _timed_get(neighbour, "/healthz"))
            await attack
    return statistics.median(latencies)


# --- 4. memory ---------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def hostile_steps(url: str, run_path: str, count: int, connections: int = 20) -> int:
    rng = random.Random(7)
    remaining = [count]
    failures = [0]
    headers = {"HX-Request": "true", "HX-Request-Type": "partial"}

    async def learner() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S) as client:
            while remaining[0] > 0:
                remaining[0] -= 1
                step = rng.randint(1, 100_000)
                try:
                    response = await client.get(run_path, params={"step": step}, headers=headers)
                except httpx.TransportError:
                    continue  # a kept-alive connection closed under load: the next one reconnects
                failures[0] += response.status_code >= 500

    await asyncio.gather(*(learner() for _ in range(connections)))
    return failures[0]


def server_pid(data_dir: Path) -> int:
    """The uvicorn process serving from ``data_dir`` (the child of ``loopscope serve``)."""
    for status in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"LOOPSCOPE_DATA_DIR={data_dir}".encode() in status.read_bytes():
                cmdline = (status.parent / "cmdline").read_bytes()
                if b"serve" in cmdline:
                    return int(status.parent.name)
        except OSError:
            continue
    raise RuntimeError("server process not found")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=10_000)
    args = parser.parse_args()

    seen = fuzz(args.fuzz)
    print(
        f"fuzz: {sum(v for k, v in seen.items() if k != 'unclean')} requests fuzzed; "
        f"{dict(sorted(seen.items()))}; 5xx seen: {seen['5xx']} (target 0)"
    )

    with tempfile.TemporaryDirectory(prefix="loopscope-rel-") as tmp:
        data_dir = Path(tmp)
        with serve(data_dir) as url:
            alone = asyncio.run(neighbour_latency(url, None))
            for size in HOSTILE_SIZES:
                beside = asyncio.run(neighbour_latency(url, size))
                print(
                    f"hostile cookie {size // 1000} KB: neighbour /healthz median {beside:.1f} ms"
                    f" vs {alone:.1f} ms alone: +{beside - alone:.1f} ms (target < 100 ms)"
                )
            record_visual_run(url)
            page = httpx.get(f"{url}/lessons/{SLUG}/visualize", timeout=60).text
            run_id = page.split("/visualize/runs/", 1)[1].split("?", 1)[0].split('"', 1)[0]
            pid = server_pid(data_dir)
            time.sleep(1)
            idle = rss_mb(pid)
            run_path = f"/lessons/{SLUG}/visualize/runs/{run_id}"
            failures = asyncio.run(hostile_steps(url, run_path, args.steps))
            after = rss_mb(pid)
            print(
                f"memory: idle {idle:.0f} MB, after {args.steps} hostile step URLs {after:.0f} MB:"
                f" +{after - idle:.1f} MB (target < 50 MB); 5xx among them: {failures}"
            )

    from crash import crash_during_answers

    with tempfile.TemporaryDirectory(prefix="loopscope-crash-") as tmp:
        outcome = crash_during_answers(Path(tmp), learners=8, kill_after=40)
    print(
        f"kill -9: {len(outcome.acknowledged)} answers acknowledged, "
        f"{len(outcome.acknowledged & outcome.found)} found after the kill, "
        f"{len(outcome.lost)} lost; integrity_check: {outcome.integrity}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
