"""Does one learner's big run slow the server for everyone? Targets: a learner's Try run page
under 2 MB, and a neighbouring ``/healthz`` never waiting over 100 ms while that page is opened
and 5 uncached steps are stepped, at 300 requests, at 1,000 and at the request cap.

Starts ``loopscope serve`` (127.0.0.1 only, a temporary LOOPSCOPE_DATA_DIR, the run rate raised),
then for each size runs a learner's own code through Try (the lesson's pattern: rounds of
``asyncio.gather`` over 10 GETs of ``/json``, one shared client), and while a neighbour asks
``/healthz`` every 10 ms on its own connection (a thread), opens the run's page and steps 5
steps spread over the run with ``HX-Request`` (as htmx does; none of them cached yet). Printed
per size: the page's bytes, its time, the slowest step, and the neighbour's slowest and p99
wait, against the neighbour's waits on the idle server, and against a 10-request run, both
measured in the same run. Then the server is restarted on the same data folder, which empties
its run cache as an eviction would, and each run is opened and stepped again: the run is read
back from the database and decoded while the neighbour asks (against a new idle baseline).
``--data-dir`` keeps the data folder (its runs) for a look afterwards.

The machine may be shared: figures are noisy. Usage:
``python bench/run_page_load.py [--sizes 1,30,100,300]`` (rounds of 10 requests).
"""

from __future__ import annotations

import argparse
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from pages_load import serve

SLUG = "async-http-client-calls"
PAGE_TARGET_BYTES = 2 * 1024 * 1024
WAIT_TARGET_MS = 100.0
PING_EVERY_S = 0.01
STEPS = 5
CODE = """\
import asyncio

import httpx


async def fetch(client, number):
    response = await client.get("https://api.example.com/json")
    return response.status_code


async def main(rounds):
    async with httpx.AsyncClient() as client:
        for _ in range(rounds):
            statuses = await asyncio.gather(*(fetch(client, n) for n in range(10)))
    return len(statuses)
"""
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
TOTAL = re.compile(r'data-total="(\d+)"')


# The server of the run page's load: learners may run often, and a 1,000-request run needs time.
SERVER_SETTINGS = {"LOOPSCOPE_RUN_RATE": "1000/minute", "LOOPSCOPE_TRACE_TIMEOUT_S": "60"}


class Neighbour:
    """Asks ``/healthz`` every ``PING_EVERY_S`` on its own connection, timing each answer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.waits_ms: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                client.get("/healthz").raise_for_status()
                self.waits_ms.append((time.perf_counter() - started) * 1000)
                self._stop.wait(PING_EVERY_S)

    def __enter__(self) -> Neighbour:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def worst_ms(self) -> float:
        return max(self.waits_ms, default=0.0)

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.waits_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


@dataclass
class Figures:
    rounds: int
    steps: int
    page_bytes: int
    page_ms: float
    step_ms: float
    step_bytes: int
    worst_ms: float
    p99_ms: float
    stopped: str


def record_run(client: httpx.Client, rounds: int) -> str:
    """A learner's Try run of ``main(rounds)``: the run page's address."""
    page = client.get(f"/lessons/{SLUG}/try")
    token = TOKEN.search(page.text)
    assert token, "no CSRF token on the Try page"
    answer = client.post(
        f"/lessons/{SLUG}/try",
        data={"csrf_token": token.group(1), "code": CODE, "call": f"main({rounds})"},
    )
    if answer.status_code != 303:
        raise RuntimeError(f"the run was refused ({answer.status_code}): {answer.text[:300]}")
    location = urlsplit(answer.headers["location"])  # the path: the port changes on a restart
    return f"{location.path}?{location.query}" if location.query else location.path


def measure(url: str, rounds: int) -> tuple[Figures, str]:
    """Records a run of ``main(rounds)``, then looks at it (``look``): its figures and address."""
    with httpx.Client(base_url=url, timeout=120) as client:
        run_url = record_run(client, rounds)
    return look(url, run_url, rounds), run_url


def look(url: str, run_url: str, rounds: int) -> Figures:
    """Opens the run's page and steps ``STEPS`` steps while a neighbour asks ``/healthz``."""
    with httpx.Client(base_url=url, timeout=120) as client, Neighbour(url) as neighbour:
        started = time.perf_counter()
        page = client.get(run_url)
        page_ms = (time.perf_counter() - started) * 1000
        page.raise_for_status()
        total = int(TOTAL.search(page.text).group(1))  # type: ignore[union-attr]
        step_ms, step_bytes = 0.0, 0
        for n in range(1, STEPS + 1):
            step = max(1, total * n // (STEPS + 1))
            started = time.perf_counter()
            fragment = client.get(run_url, params={"step": step}, headers={"HX-Request": "true"})
            step_ms = max(step_ms, (time.perf_counter() - started) * 1000)
            step_bytes = max(step_bytes, len(fragment.content))
            fragment.raise_for_status()
    flag = re.search(r"<strong>(?:Stopped|Cut)</strong> ([^<]+)", page.text)
    return Figures(
        rounds,
        total,
        len(page.content),
        page_ms,
        step_ms,
        step_bytes,
        neighbour.worst_ms,
        neighbour.p99_ms,
        flag.group(1).strip() if flag else "",
    )


def idle(url: str, seconds: float) -> Neighbour:
    with Neighbour(url) as neighbour:
        time.sleep(seconds)
    return neighbour


def baseline(url: str, label: str) -> Neighbour:
    quiet = idle(url, 3.0)
    print(
        f"baseline ({label}): /healthz on the idle server, worst {quiet.worst_ms:.1f} ms,"
        f" p99 {quiet.p99_ms:.1f} ms ({len(quiet.waits_ms)} asks)"
    )
    return quiet


def report(figures: Figures, small: Figures, quiet: Neighbour, *, first: bool) -> bool:
    """Prints one size's figures; whether they meet the targets."""
    page_ok = first or figures.page_bytes <= PAGE_TARGET_BYTES
    wait_ok = figures.worst_ms <= WAIT_TARGET_MS
    print(
        f"{figures.rounds * 10:>5} requests asked, {figures.steps:,} steps:"
        f" page {figures.page_bytes / 1024:,.0f} KB"
        f" ({figures.page_bytes / small.page_bytes:.2f}x the {small.rounds * 10}-request"
        f" run's) in {figures.page_ms:,.0f} ms; slowest uncached step"
        f" {figures.step_ms:,.0f} ms, {figures.step_bytes / 1024:,.0f} KB;"
        f" /healthz worst {figures.worst_ms:.1f} ms, p99 {figures.p99_ms:.1f} ms"
        f" ({figures.worst_ms / max(quiet.worst_ms, 0.1):.1f}x idle)"
        f" [{'ok' if page_ok and wait_ok else 'MISSED'}]"
        + (f"\n      the page says: {figures.stopped}" if figures.stopped else "")
    )
    return page_ok and wait_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,30,100,300", help="rounds of 10 requests")
    parser.add_argument("--data-dir", type=Path, help="keep the data folder here (empty)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    ok = True
    runs: list[tuple[int, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.data_dir or Path(tmp)
        with serve(folder, SERVER_SETTINGS) as url:
            measure(url, 1)  # warm: the first run pays for templates and the first worker
            quiet = baseline(url, "fresh runs")
            print("each run just recorded, so the server still holds it in its run cache:")
            small: Figures | None = None
            for rounds in sizes:
                figures, run_url = measure(url, rounds)
                runs.append((rounds, run_url))
                small = small or figures
                ok = report(figures, small, quiet, first=rounds == sizes[0]) and ok
        # A restart empties the run cache (as an eviction would): each run is read back from
        # the database and decoded while the neighbour asks.
        with serve(folder, SERVER_SETTINGS) as url:
            measure(url, 1)
            quiet = baseline(url, "after a restart")
            print("the same runs after a restart: none is in the run cache any more:")
            small = None
            for rounds, run_url in runs:
                figures = look(url, run_url, rounds)
                small = small or figures
                ok = report(figures, small, quiet, first=rounds == sizes[0]) and ok
    print(
        f"targets: page <= {PAGE_TARGET_BYTES // 1024 // 1024} MB, /healthz <= {WAIT_TARGET_MS:.0f}"
        f" ms: {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
