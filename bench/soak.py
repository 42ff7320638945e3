"""Does the server's memory settle? Target: its RSS after 200 large Try runs within 50 MB of
what it settles at after 20.

Starts ``loopscope serve`` as ``bench/run_page_load.py`` does, and a learner runs their own
code through Try ``--runs`` times (the lesson's pattern: ``--rounds`` rounds of 10 GETs of
``/json`` gathered, 300 requests by default), each run opened and stepped at 3 uncached steps,
as a learner reads it. The server process's RSS is read (psutil) after every ``--every`` runs,
once the server is idle; the figure after ``--settle-at`` runs is the baseline, and the last
one is compared with it in the same run. Trace workers are separate processes and not counted.

The machine may be shared. Usage: ``python bench/soak.py [--runs 200] [--settle-at 20]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from run_page_load import TOTAL, record_run, serve  # this folder is on sys.path as a script

TARGET_GROWTH_MB = 50.0


def server_rss_mb(url: str) -> float:
    """The RSS of the process listening on ``url``'s port."""
    port = int(url.rsplit(":", 1)[1])
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            assert conn.pid is not None
            return psutil.Process(conn.pid).memory_info().rss / 1024**2
    raise RuntimeError(f"no process listens on {url}")


def one_run(client: httpx.Client, rounds: int) -> None:
    run_url = record_run(client, rounds)
    page = client.get(run_url)
    page.raise_for_status()
    found = TOTAL.search(page.text)
    total = int(found.group(1)) if found else 1
    for step in (total // 4, total // 2, 3 * total // 4):
        client.get(run_url, params={"step": max(step, 1)}, headers={"HX-Request": "true"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--settle-at", type=int, default=20)
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=30, help="rounds of 10 requests per run")
    args = parser.parse_args()
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve(Path(tmp)) as url,
        httpx.Client(base_url=url, timeout=120) as client,
    ):
        first = server_rss_mb(url)
        print(f"server RSS at start: {first:.0f} MB")
        settled: float | None = None
        last = first
        for done in range(1, args.runs + 1):
            one_run(client, args.rounds)
            if done % args.every == 0 or done in (args.settle_at, args.runs):
                time.sleep(1.0)  # idle: what is kept, not what is in flight
                last = server_rss_mb(url)
                if done == args.settle_at:
                    settled = last
                print(
                    f"after {done:>4} runs of {args.rounds * 10} requests: RSS {last:.0f} MB"
                    f" ({time.monotonic() - started:.0f} s)"
                )
    base = settled if settled is not None else first
    growth = last - base
    ok = growth <= TARGET_GROWTH_MB
    verdict = "met" if ok else "MISSED"
    print(
        f"after {args.runs} runs: {last:.0f} MB, {growth:+.0f} MB against {base:.0f} MB after"
        f" {args.settle_at} (target: at most +{TARGET_GROWTH_MB:.0f} MB): {verdict}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
