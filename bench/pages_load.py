"""A whole room opening lesson pages at once: every lesson page at 20 connections, against /healthz.

Starts the real server (``loopscope serve`` in a subprocess: uvicorn with loopscope's server
settings, a temporary LOOPSCOPE_DATA_DIR, 127.0.0.1 only), records the lesson's Visual run once,
then loads each target for ``--duration`` seconds with ``--connections`` learners, each its own
keep-alive connection and learner cookie, asking as fast as answers come (a closed loop). The
load generator is this process, separate from the server's; it speaks plain HTTP/1.1 over
asyncio streams, because httpx's per-request cost in one process made the client, not the
server, the bottleneck. /healthz is measured first and last in
the same run; its mean is the baseline.

Prints, per page, p50 and p99 latency, requests per second, errors, and the ratio of its
throughput to /healthz's. Targets (issue 7): p99 under 150 ms and at least 1/3 of /healthz's
throughput. Bounded: connections, duration per target and a 10 s timeout per request.

Usage: ``python bench/pages_load.py [--connections 20] [--duration 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SLUG = "async-http-client-calls"
MODES = ("", "why", "deep", "visualize", "try", "challenge", "project", "recall", "perf")
REQUEST_TIMEOUT_S = 10.0
P99_TARGET_MS = 150.0
RATIO_TARGET = 1 / 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(data_dir: Path, settings: Mapping[str, str] | None = None) -> Iterator[str]:
    """``loopscope serve`` on a free loopback port until the block ends; ``settings``: more
    ``LOOPSCOPE_*`` environment for the server."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    loopscope = str(Path(sys.executable).parent / "loopscope")
    command = [loopscope, "serve", "--host", HOST, "--port", str(port)]
    env = {
        **os.environ,
        "LOOPSCOPE_DATA_DIR": str(data_dir),
        "LOOPSCOPE_PRUNE_INTERVAL_S": "0",
        **(settings or {}),
    }
    log_path = data_dir / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=15)


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed_s: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _learner(host: str, port: int, path: str, end: float, outcome: Outcome) -> None:
    """One learner on one keep-alive connection: its cookie from the first answer, then GETs."""
    reader, writer = await asyncio.open_connection(host, port)
    cookie = b""
    try:
        while time.monotonic() < end:
            request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n".encode()
            started = time.perf_counter()
            writer.write(request + cookie + b"\r\n")
            try:
                status, headers = await asyncio.wait_for(_answer(reader), REQUEST_TIMEOUT_S)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                outcome.errors += 1
                return
            if status == 200:
                outcome.latencies_ms.append((time.perf_counter() - started) * 1000)
            else:
                outcome.errors += 1
            for name, value in headers:
                if name == b"set-cookie" and not cookie:
                    cookie = b"Cookie: " + value.split(b";", 1)[0] + b"\r\n"
    finally:
        writer.close()


async def _answer(reader: asyncio.StreamReader) -> tuple[int, list[tuple[bytes, bytes]]]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head[:-4].split(b"\r\n")
    headers = [
        (name.strip().lower(), value.strip())
        for name, _, value in (line.partition(b":") for line in lines)
    ]
    length = next((int(value) for name, value in headers if name == b"content-length"), 0)
    await reader.readexactly(length)
    return int(status_line.split()[1]), headers


async def load(url: str, connections: int, duration_s: float) -> Outcome:
    parsed = httpx.URL(url)
    host, port = parsed.host, parsed.port or 80
    path = parsed.raw_path.decode()
    outcome = Outcome()
    started = time.monotonic()
    end = started + duration_s
    await asyncio.gather(*(_learner(host, port, path, end, outcome) for _ in range(connections)))
    outcome.elapsed_s = time.monotonic() - started
    return outcome


def record_visual_run(url: str, deadline_s: float = 180.0) -> None:
    """Ask for the Visual page until its run is recorded, as the room's first learner would
    (a busy machine may take more than one wait)."""
    deadline = time.monotonic() + deadline_s
    while True:
        response = httpx.get(f"{url}/lessons/{SLUG}/visualize", timeout=60)
        if response.status_code == 200 or time.monotonic() > deadline:
            response.raise_for_status()
            return
        time.sleep(2)


def report(name: str, outcome: Outcome, baseline: float | None) -> bool:
    p50, p99 = outcome.percentile(0.5), outcome.percentile(0.99)
    ratio = outcome.rate / baseline if baseline else 1.0
    ok = baseline is None or (p99 < P99_TARGET_MS and ratio >= RATIO_TARGET and not outcome.errors)
    print(
        f"{name:<34} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  {outcome.rate:7.0f} req/s"
        f"  errors {outcome.errors:<4} ratio {ratio:5.2f}  {'ok' if ok else 'MISSED'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per target")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loopscope-bench-") as tmp, serve(Path(tmp)) as url:
        record_visual_run(url)
        pages = [f"/lessons/{SLUG}" + (f"/{mode}" if mode else "") for mode in MODES]
        first = asyncio.run(load(f"{url}/healthz", args.connections, args.duration))
        results = [
            (page, asyncio.run(load(url + page, args.connections, args.duration))) for page in pages
        ]
        last = asyncio.run(load(f"{url}/healthz", args.connections, args.duration))
    baseline = (first.rate + last.rate) / 2
    print(
        f"{args.connections} connections, {args.duration:.0f} s per target, loopback; "
        f"targets: p99 < {P99_TARGET_MS:.0f} ms and >= {RATIO_TARGET:.2f} of /healthz"
    )
    report("/healthz (first)", first, None)
    report("/healthz (last)", last, None)
    verdicts = [report(page, outcome, baseline) for page, outcome in results]
    print(
        f"baseline /healthz {baseline:.0f} req/s; pages on target: {sum(verdicts)}/{len(verdicts)}"
    )
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
