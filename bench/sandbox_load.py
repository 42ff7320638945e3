"""A workshop presses Run at once: 30 learners' own code, sandboxed, while pages keep answering.

Three measurements in one run, loopback only, everything bounded:

1. **Worker start cost**: CPU seconds (the worker's and bwrap's, from ``RUSAGE_CHILDREN``) and
   wall time until a worker is warm, sandboxed against unsandboxed, ``--starts`` each,
   alternating.
2. **The sandbox's own cost** on the canonical example, sandboxed (learner origin) against
   unsandboxed (a lesson run where bwrap is made unavailable), ``--runs`` each, alternating,
   three ways: *warm* (a worker that is ready, nothing else starting: the job written, the
   reply read and decoded); *through the engine* (a warm worker, while the engine starts its
   replacement at once, as in production: the two share the CPUs); and *per run with its
   replacement's start* (the warm time plus the CPU seconds a worker's start costs). Target:
   the warm ratio at most 1.3x.
3. **The burst**: the real app (uvicorn, in this process, the engine sized by the default
   settings, on this event loop as in production) and ``--learners`` distinct learner files
   submitted at once as learner runs. Meanwhile a separate process GETs a plain page (the
   catalog, ``/``) every 20 ms; the same poller first measures the idle server for 3 s. Prints
   time to trace (p50, p95, max), how many were refused or lost, the places in the queue the
   learners were shown, and the page's p50/p99 during the burst against idle. Targets: all
   traced, none refused or lost, p95 under 10 s, page p99 under 200 ms.

Usage: ``python bench/sandbox_load.py [--learners 30] [--starts 4] [--runs 6]`` (``--starts 0``:
the burst alone).
The machine is shared with other work: figures are noisy; compare the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uvicorn

from loopscope.app import create_app
from loopscope.settings import Settings
from visualizer import EngineBusy, Trace, TraceEngine, TraceError, TraceRequest
from visualizer.contract.protocol import GO, READY, Job, ReplyReader
from visualizer.pool.authority import default_authority
from visualizer.pool.guard import Guard
from visualizer.pool.reply import decode
from visualizer.pool.runner import choose_sandbox, worker_launch
from visualizer.pool.sandbox import sandbox_status

ROOT = Path(__file__).resolve().parent.parent
CANONICAL = ROOT / "tests" / "visualizer" / "samples" / "canonical.py"
CALL = 'fetch_data("https://api.example.com/data")'
MISSING_BWRAP = "/nonexistent/bwrap"
PATHS = ["/data", "/json", "/get", "/delay/0.2", "/status/404", "/bytes/512", "/stream/3"]
LEARNER_CODE = """import asyncio

import httpx


async def fetch_{n}(url: str) -> tuple[int, int]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        response_{n} = await client.get(url)
        size_{n} = len(response_{n}.content)
    await asyncio.sleep(0)
    return response_{n}.status_code, size_{n}
"""
POLLER = """
import json, select, sys, time, httpx
url = sys.argv[1]
times, errors = [], 0
print("ready", flush=True)
with httpx.Client(timeout=10.0) as client:
    while not select.select([sys.stdin], [], [], 0)[0] and len(times) < 20_000:
        started = time.perf_counter()
        try:
            client.get(url).raise_for_status()
            times.append((time.perf_counter() - started) * 1000.0)
        except httpx.HTTPError:
            errors += 1
        time.sleep(0.02)
print(json.dumps({"times": times, "errors": errors}))
"""


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def process_cpu(pid: int) -> float:
    """CPU seconds ``pid`` has used so far (user and system, from /proc)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rfind(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start(sandboxed: bool) -> tuple[float, float]:
    """CPU seconds and wall seconds for one worker to become warm (then it exits cleanly)."""
    authority = default_authority()
    sandbox = choose_sandbox("bwrap", "learner") if sandboxed else None
    guard = Guard.create() if sandbox is not None else None
    started = time.perf_counter()
    launch = worker_launch(authority, sandbox, guard)
    process = subprocess.Popen(
        launch.argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=launch.env,
        pass_fds=launch.fds,
        cwd="/",
    )
    launch.close()
    assert process.stdout is not None
    assert process.stdin is not None
    if guard is not None:
        guard.attach(process.pid)
    process.stdin.write(GO)
    process.stdin.flush()
    line = process.stdout.readline()
    wall = time.perf_counter() - started
    # The worker now waits for a job: what its processes used so far is the cost of a start
    # (bwrap's own processes included when sandboxed).
    pids = guard.members() if guard is not None else [process.pid]
    cpu = sum(process_cpu(pid) for pid in pids)
    process.stdin.close()
    process.wait(timeout=30)
    process.stdout.close()
    if guard is not None:
        guard.kill()
        guard.release()
    if line != b"ready\n":
        raise RuntimeError("a worker did not start")
    return cpu, wall


def warm_alone(sandboxed: bool) -> float:
    """Seconds from job to decoded trace for the canonical example in a worker that is ready,
    with nothing else starting meanwhile."""
    authority = default_authority()
    sandbox = choose_sandbox("bwrap", "learner") if sandboxed else None
    guard = Guard.create() if sandbox is not None else None
    launch = worker_launch(authority, sandbox, guard)
    request = TraceRequest(CANONICAL, CALL, origin="learner" if sandboxed else "lesson")
    job = Job.of(request, CANONICAL.read_text())
    process = subprocess.Popen(
        launch.argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=launch.env,
        pass_fds=launch.fds,
        cwd="/",
    )
    launch.close()
    assert process.stdout is not None
    assert process.stdin is not None
    if guard is not None:
        guard.attach(process.pid)
    try:
        process.stdin.write(GO)
        process.stdin.flush()
        if process.stdout.readline() != READY:
            raise RuntimeError("a worker did not start")
        started = time.perf_counter()
        process.stdin.write(job.to_json() + b"\n")
        process.stdin.close()
        reader = ReplyReader(job.nonce)
        body = None
        while body is None:
            chunk = os.read(process.stdout.fileno(), 64 * 1024)
            if not chunk:
                raise RuntimeError("a worker ended without a reply")
            body = reader.feed(chunk)
        trace = decode(body, job.file)
        seconds = time.perf_counter() - started
    finally:
        if guard is not None:
            guard.kill()
        process.kill()
        process.wait(timeout=30)
        process.stdout.close()
        if guard is not None:
            guard.release()
    assert trace.error is None
    assert len(trace.steps) == 7
    return seconds


async def warm_runs(sandboxed: bool, runs: int) -> list[float]:
    """Seconds from submit to trace for the canonical example through the engine, each from a
    warm worker while the engine starts that worker's replacement (as in production)."""
    bwrap = "bwrap" if sandboxed else MISSING_BWRAP
    request = TraceRequest(CANONICAL, CALL, origin="learner" if sandboxed else "lesson")
    seconds = []
    async with TraceEngine(workers=1, queue_size=1, bwrap=bwrap) as engine:
        for _ in range(runs):
            await engine.warm(30)
            started = time.perf_counter()
            trace = await engine.trace(request)
            seconds.append(time.perf_counter() - started)
            assert trace.error is None
            assert len(trace.steps) == 7
    return seconds


def cpu_used() -> float:
    """CPU seconds the whole machine has been busy (all CPUs, from /proc/stat): sandboxed
    workers run in their own PID namespace, out of reach of ``RUSAGE_CHILDREN``."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(value) for value in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start_poller(url: str) -> asyncio.subprocess.Process:
    """A separate process that GETs ``url`` every 20 ms until its stdin closes."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        POLLER,
        url,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    await process.stdout.readline()  # imported and polling from now on
    return process


async def stop_poller(process: asyncio.subprocess.Process) -> tuple[list[float], int]:
    out, _ = await asyncio.wait_for(process.communicate(b""), timeout=30)
    data = json.loads(out)
    return list(data["times"]), int(data["errors"])


async def burst(learners: int, folder: Path) -> None:
    port = free_port()
    settings = Settings(data_dir=folder / "data", secret_key="bench", trace_prestart=False)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn's flag)
        await asyncio.sleep(0.05)
    page = f"http://127.0.0.1:{port}/"
    poller = await start_poller(page)
    await asyncio.sleep(3.0)
    idle, idle_errors = await stop_poller(poller)

    places: dict[int, int] = {}
    requests: list[TraceRequest] = []
    for n in range(learners):
        file = folder / f"learner_{n:02d}.py"
        file.write_text(LEARNER_CODE.format(n=n))
        url = f"https://api.example.com{PATHS[n % len(PATHS)]}"
        requests.append(TraceRequest(file, f"fetch_{n}({url!r})", origin="learner"))
    index = {id(request): n for n, request in enumerate(requests)}
    engine: TraceEngine

    def progress(request: TraceRequest, state: str) -> None:
        if state == "queued":
            # "queued: N ahead", as TraceService reports it: those waiting before this one
            places[index[id(request)]] = engine.waiting - 1

    engine = TraceEngine(
        workers=settings.trace_workers,
        queue_size=settings.trace_queue,
        warm=settings.trace_pool,
        on_progress=progress,
    )
    async with engine:
        await engine.warm(60)
        done_at: dict[int, float] = {}
        started = time.perf_counter()

        async def one(n: int) -> Trace | BaseException:
            try:
                trace = await engine.trace(requests[n])
            except (TraceError, EngineBusy) as error:
                return error
            done_at[n] = time.perf_counter() - started
            return trace

        poller = await start_poller(page)
        cpu_before = cpu_used()
        results = await asyncio.wait_for(
            asyncio.gather(*(one(n) for n in range(learners))), timeout=180
        )
        elapsed = time.perf_counter() - started
        cpu_burst = cpu_used() - cpu_before
        during, during_errors = await stop_poller(poller)
    server.should_exit = True
    await serving

    traced = [r for r in results if isinstance(r, Trace) and r.error is None]
    refused = [r for r in results if isinstance(r, EngineBusy)]
    lost = learners - len(traced) - len(refused)
    waits = list(done_at.values())
    print(
        f"\nburst: {learners} learners' own files at once, {settings.trace_workers} running at"
        f" once, {engine.warm_target} kept warm"
    )
    print(f"  traced {len(traced)}/{learners}, refused {len(refused)}, lost {lost}")
    if waits:
        print(
            f"  time to trace: p50 {statistics.median(waits):.2f} s, p95 {pct(waits, 95):.2f} s,"
            f" max {max(waits):.2f} s (target p95 < 10 s); all done in {elapsed:.1f} s"
        )
    print(
        f"  CPU during the burst (the whole machine): {cpu_burst:.1f} s,"
        f" {cpu_burst / learners:.2f} s per learner's run ({os.cpu_count()} CPUs)"
    )
    shown = sorted(places.values())
    print(
        f"  learners ahead, as each was told when queued: {shown[:3]} ... {shown[-3:]}"
        f" ({len(shown)} learners told)"
    )
    for name, times, errors in (("idle", idle, idle_errors), ("burst", during, during_errors)):
        if times:
            print(
                f"  plain page ({name}): {len(times)} GETs, p50 {statistics.median(times):.1f} ms,"
                f" p99 {pct(times, 99):.1f} ms, max {max(times):.1f} ms, errors {errors}"
            )
    if idle and during:
        ratio = pct(during, 99) / pct(idle, 99)
        print(f"  page p99 during the burst / idle: {ratio:.2f}x (target p99 < 200 ms)")


def report_starts(starts: int) -> tuple[float, float]:
    plain: list[tuple[float, float]] = []
    boxed: list[tuple[float, float]] = []
    for _ in range(starts):
        boxed.append(one_start(True))
        plain.append(one_start(False))
    cpu_plain = statistics.median(c for c, _ in plain)
    cpu_boxed = statistics.median(c for c, _ in boxed)
    wall_plain = statistics.median(w for _, w in plain)
    wall_boxed = statistics.median(w for _, w in boxed)
    print(f"worker start ({starts} each, medians):")
    print(f"  unsandboxed: {cpu_plain:.3f} CPU s, {wall_plain:.3f} s to warm")
    print(
        f"  sandboxed:   {cpu_boxed:.3f} CPU s, {wall_boxed:.3f} s to warm"
        f"  (ratio {cpu_boxed / cpu_plain:.2f}x CPU, {wall_boxed / wall_plain:.2f}x wall)"
    )
    return cpu_plain, cpu_boxed


def report_runs(runs: int, cpu_plain: float, cpu_boxed: float) -> None:
    alone_plain: list[float] = []
    alone_boxed: list[float] = []
    for _ in range(runs):
        alone_boxed.append(warm_alone(True))
        alone_plain.append(warm_alone(False))
    plain: list[float] = []
    boxed: list[float] = []
    for _ in range(2):
        boxed += asyncio.run(warm_runs(True, runs // 2))
        plain += asyncio.run(warm_runs(False, runs // 2))
    warm_plain, warm_boxed = statistics.median(alone_plain), statistics.median(alone_boxed)
    median_plain, median_boxed = statistics.median(plain), statistics.median(boxed)
    print(f"canonical example, time to trace ({runs} each, medians):")
    print(
        f"  warm (a ready worker, nothing else starting): unsandboxed {warm_plain * 1000:.0f} ms,"
        f" sandboxed {warm_boxed * 1000:.0f} ms: {warm_boxed / warm_plain:.2f}x"
        " (target <= 1.3x)"
    )
    print(
        f"  through the engine (a ready worker while its replacement starts): unsandboxed"
        f" {median_plain * 1000:.0f} ms, sandboxed {median_boxed * 1000:.0f} ms:"
        f" {median_boxed / median_plain:.2f}x"
    )
    per_plain, per_boxed = warm_plain + cpu_plain, warm_boxed + cpu_boxed
    print(
        f"  per run with its replacement's start (warm time plus a start's CPU seconds):"
        f" {per_plain:.2f} s against {per_boxed:.2f} s: {per_boxed / per_plain:.2f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--starts", type=int, default=4)
    parser.add_argument("--runs", type=int, default=6)
    args = parser.parse_args()
    status = sandbox_status()
    if not status.available:
        print(f"no sandbox here: {status.reason}", file=sys.stderr)
        return 2
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    default_authority()
    if args.starts > 0:  # 0: the burst alone
        cpu_plain, cpu_boxed = report_starts(args.starts)
        if args.runs > 1:
            report_runs(args.runs, cpu_plain, cpu_boxed)
    with tempfile.TemporaryDirectory(prefix="loopscope-bench-") as folder:
        asyncio.run(burst(args.learners, Path(folder)))
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
