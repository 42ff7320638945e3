"""How long does ``loopscope lessons check`` take? Target: lesson 1 under 15 s on 2 cores.

Three figures, all measured in this run:

1. The command itself, cold (an empty trace cache: every distinct run is traced) and warm (the
   same cache again: nothing changed, nothing is traced), as a subprocess, like a user runs it.
2. Growth: the time to trace the first k distinct runs of the lesson, for a few k, cold, with
   ``--workers`` at once. The ms per distinct run should stay about flat (linear growth).
3. The baseline: the smallest k traced one at a time, as the check did before runs were
   traced in parallel; the ratio says what the worker pool buys.

Usage: ``python bench/lessons_check.py [--workers N] [--sizes 8,16,32] [--skip-command]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lessons import CONTENT_ROOT, load_lesson
from lessons.check import Check, Run, cached_runner, engine_runner, plan, run_checks
from lessons.models import Expectation

SLUG = "async-http-client-calls"
CLI = (sys.executable, "-c", "from loopscope.cli import main; main()")


def command(workers: int, cache_home: Path) -> float:
    """Seconds for ``loopscope lessons check`` with its trace cache under ``cache_home``."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    start = time.perf_counter()
    done = subprocess.run(
        [*CLI, "lessons", "check", "--workers", str(workers)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - start
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise SystemExit(f"loopscope lessons check failed to run: {done.stderr[-500:]}")
    print(f"    ({done.stdout.strip().splitlines()[-1]})")
    return took


def distinct_runs(checks: list[Check]) -> list[Run]:
    seen: dict[Run, None] = {}
    for check in checks:
        for run in check.runs:
            seen.setdefault(run)
    return list(seen)


def trace_runs(runs: list[Run], workers: int) -> float:
    """Seconds to trace ``runs`` cold (a fresh cache), ``workers`` at a time."""
    checks = [Check(run.name, run, Expectation()) for run in runs]
    with tempfile.TemporaryDirectory() as folder:
        runner = cached_runner(engine_runner(), Path(folder))
        start = time.perf_counter()
        list(run_checks(checks, runner, workers=workers))
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sizes", default="8,16,32")
    parser.add_argument("--skip-command", action="store_true")
    args = parser.parse_args()
    folder = CONTENT_ROOT / SLUG
    checks = plan(load_lesson(folder), folder)
    runs = distinct_runs(checks)
    print(f"lesson {SLUG}: {len(checks)} checks, {len(runs)} distinct runs; "
          f"{os.cpu_count()} CPUs seen, --workers {args.workers}")  # fmt: skip
    if not args.skip_command:
        with tempfile.TemporaryDirectory() as home:
            print("  loopscope lessons check, cold (empty trace cache):")
            cold = command(args.workers, Path(home))
            print(f"    {cold:6.1f} s   target < 15 s: {'met' if cold < 15 else 'MISSED'}")
            print("  loopscope lessons check, warm (same cache, nothing changed):")
            warm = command(args.workers, Path(home))
            print(f"    {warm:6.1f} s   cold/warm {cold / warm:.1f}x")
    sizes = [int(size) for size in args.sizes.split(",") if size and int(size) <= len(runs)]
    print(f"  growth: the first k distinct runs traced cold, {args.workers} at a time")
    for size in sizes:
        took = trace_runs(runs[:size], args.workers)
        print(f"    k={size:3d}   {took:6.1f} s   {1000 * took / size:6.0f} ms per run")
    if sizes:
        size = sizes[0]
        parallel = trace_runs(runs[:size], args.workers)
        serial = trace_runs(runs[:size], 1)
        print(f"  baseline: k={size} one at a time {serial:.1f} s, {args.workers} at a time "
              f"{parallel:.1f} s: {serial / parallel:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
