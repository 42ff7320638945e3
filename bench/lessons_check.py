"""How long does ``loopscope lessons check`` take? Target: lesson 1 under 15 s on 2 cores, growing
linearly with the number of distinct runs.

Five figures, all measured in this run:

1. The command itself on lesson 1, cold (an empty trace cache: every distinct run is traced)
   and warm (the same cache again: nothing changed, nothing is traced), as a subprocess, like a
   user runs it, with ``--workers`` runs at once (``lessons.check.WORKERS`` by default).
2. The baseline, in this process: every distinct run of lesson 1 traced cold as the check
   traced them before, in started workers (a sandbox and an interpreter of its own per run,
   about 0.2 CPU s to start) with the timed runs last, once the rest are done; then as it does
   now, forks of one warm interpreter (``visualizer.pool.forks``), the crowd at the idle CPU
   policy and the timed runs beside it on a lane of their own. Each with the machine's CPU
   seconds meanwhile (from /proc/stat: sandboxed workers are out of reach of
   ``RUSAGE_CHILDREN``; other work on a shared machine counts too).
3. Crowd sizes: the same first k distinct runs traced cold 1 at a time, then more; the ratio
   against 1 at once says what each size buys, and why ``WORKERS`` is what it is.
4. Growth: the first k distinct runs for a few k, cold, ``--workers`` at once; the ms per
   distinct run should stay about flat (linear growth).
5. Honest timing: each ``faster_than`` comparison's margin, its runs traced as the check does
   (on the timed lane, beside the idle crowd) and, against that, in the crowd itself: a
   comparison must not be decided by the load.

Usage: ``python bench/lessons_check.py [--workers N] [--sizes 16,32,64] [--pools 1,2,4,6,8]
[--pool-size 24] [--skip-command] [--skip-pools]``. The machine may be shared: compare the ratios.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lessons import CONTENT_ROOT, load_lesson
from lessons.check import (
    TIMED_WORKERS,
    WORKERS,
    Check,
    Run,
    cached_runner,
    phased,
    plan,
    pool_runners,
    run_checks,
    timed_runs,
)

SLUG = "async-http-client-calls"
CLI = (sys.executable, "-c", "from loopscope.cli import main; main()")


def command(workers: int, cache_home: Path) -> float:
    """Seconds for ``loopscope lessons check`` on lesson 1, its trace cache under
    ``cache_home``."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    start = time.perf_counter()
    done = subprocess.run(
        [*CLI, "lessons", "check", "--workers", str(workers), SLUG],
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
    return list(dict.fromkeys(run for check in checks for run in check.runs))


def cpu_busy() -> float:
    """CPU seconds the whole machine has been busy (all CPUs, from /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(value) for value in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Traced:
    seconds: float  # wall time to trace them all
    cpu_s: float  # machine CPU seconds meanwhile
    own_s: float  # the runs' own wall time, summed


def trace_runs(checks: list[Check], runs: list[Run], workers: int, forked: bool = True) -> Traced:
    """Trace ``runs`` cold (a fresh cache), as the check does, ``workers`` at a time, the
    timed ones (``timed_runs``) on their own lane beside them; ``forked=False``: as the check
    did before, in started workers, the timed runs last."""
    chosen = set(runs)
    kept = [
        Check(c.label, c.run, c.expect, c.baseline, c.counters)
        for c in checks
        if set(c.runs) <= chosen
    ]
    covered = {run for check in kept for run in check.runs}
    kept += [Check(run.name, run, checks[0].expect) for run in runs if run not in covered]
    with (
        tempfile.TemporaryDirectory() as folder,
        pool_runners(workers, forked=forked) as (crowd, timed),
    ):
        runner = cached_runner(crowd, Path(folder))
        lane = cached_runner(timed, Path(folder)) if forked else None
        cpu, start = cpu_busy(), time.perf_counter()
        outcomes = list(run_checks(kept, runner, workers=workers, timed_runner=lane))
        took, used = time.perf_counter() - start, cpu_busy() - cpu
    own = {o.check.run: (o.wall_ms or 0.0) for o in outcomes}
    for outcome in outcomes:
        for counter in outcome.counters:
            own[counter.counter.run] = counter.wall_ms or 0.0
    return Traced(took, used, sum(own.values()) / 1000)


def margins(checks: list[Check], crowd: list[Run], workers: int, quiet: bool) -> list[float]:
    """Every ``faster_than`` check's margin, traced cold beside ``crowd`` (untimed runs):
    the baseline's wall time over the run's times the factor (above 1: the claim holds), and
    for each counter-example rejected on ``faster_than`` the counter's times the factor over the
    baseline's (above 1: still rejected). ``quiet``: timed runs last, ``TIMED_WORKERS`` at once,
    as the check runs them; else in the crowd, ``workers`` at once."""
    timed = [check for check in checks if check.baseline is not None]
    runs = [*crowd, *(run for check in timed for run in check.runs)]
    found: list[float] = []
    with tempfile.TemporaryDirectory() as folder, pool_runners(workers) as (crowd, lane):
        runner = cached_runner(crowd, Path(folder))
        later = timed_runs(timed) if quiet else set()
        quiet_lane = cached_runner(lane, Path(folder))
        with phased(runner, runs, later, workers, TIMED_WORKERS, timed_work=quiet_lane) as futures:
            for check in timed:
                assert check.baseline is not None
                run, slow = futures[check.run].result(), futures[check.baseline.run].result()
                factor = check.baseline.factor
                found.append(slow.wall_ms / (run.wall_ms * factor))
                for counter in check.counters:
                    if "faster_than" in counter.rejects_on:
                        other = futures[counter.run].result()
                        found.append(other.wall_ms * factor / slow.wall_ms)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--sizes", default="16,32,64")
    parser.add_argument("--pools", default="1,2,4,6,8")
    parser.add_argument("--pool-size", type=int, default=24)
    parser.add_argument("--skip-command", action="store_true")
    parser.add_argument("--skip-pools", action="store_true")
    args = parser.parse_args()
    folder = CONTENT_ROOT / SLUG
    checks = plan(load_lesson(folder), folder)
    runs = distinct_runs(checks)
    print(f"lesson {SLUG}: {len(checks)} checks, {len(runs)} distinct runs; "
          f"{os.cpu_count()} CPUs seen, --workers {args.workers}, "
          f"load average {os.getloadavg()[0]:.1f} at the start")  # fmt: skip
    if not args.skip_command:
        with tempfile.TemporaryDirectory() as home:
            print("  1. loopscope lessons check SLUG, cold (empty trace cache):")
            cold = command(args.workers, Path(home))
            print(f"    {cold:6.1f} s   target < 15 s: {'met' if cold < 15 else 'MISSED'}")
            print("     the same, warm (same cache, nothing changed):")
            warm = command(args.workers, Path(home))
            print(f"    {warm:6.1f} s   cold/warm {cold / warm:.1f}x")
    print(f"  2. all {len(runs)} distinct runs, cold, {args.workers} at once, in this process:")
    before = trace_runs(checks, runs, args.workers, forked=False)
    print(f"    baseline, started workers, timed runs last: {before.seconds:6.1f} s, machine CPU "
          f"{before.cpu_s:5.1f} s ({before.cpu_s / len(runs):.2f} CPU s per run)")  # fmt: skip
    now = trace_runs(checks, runs, args.workers)
    print(f"    forked, idle crowd beside a timed lane:     {now.seconds:6.1f} s, machine CPU "
          f"{now.cpu_s:5.1f} s ({now.cpu_s / len(runs):.2f} CPU s per run); "
          f"{before.seconds / now.seconds:.2f}x faster than the baseline")  # fmt: skip
    size = min(args.pool_size, len(runs))
    pools = [] if args.skip_pools else [int(p) for p in args.pools.split(",") if p]
    print(f"  3. the first {size} distinct runs, cold, by crowd size (1 = the baseline):")
    base: float | None = None
    for workers in pools:
        traced = trace_runs(checks, runs[:size], workers)
        base = traced.seconds if base is None else base
        print(f"    {workers:2d} at once: {traced.seconds:6.1f} s  {base / traced.seconds:5.2f}x "
              f"the baseline; runs' own wall {traced.own_s:5.1f} s, machine CPU "
              f"{traced.cpu_s:5.1f} s ({traced.cpu_s / size:.2f} CPU s per run)")  # fmt: skip
    sizes = [int(s) for s in args.sizes.split(",") if s and int(s) <= len(runs)]
    if sizes and len(runs) not in sizes:
        sizes.append(len(runs))
    if sizes:
        print(f"  4. growth: the first k distinct runs, cold, {args.workers} at once:")
    for k in sizes:
        traced = trace_runs(checks, runs[:k], args.workers)
        print(f"    k={k:3d}   {traced.seconds:6.1f} s   {1000 * traced.seconds / k:6.0f} ms per "
              f"distinct run")  # fmt: skip
    crowd = [run for run in runs if run not in timed_runs(checks)][: args.pool_size]
    print(f"  5. faster_than margins (above 1: decided as the lesson says), beside {len(crowd)} "
          f"untimed runs, {args.workers} at once:")  # fmt: skip
    for quiet in (True, False):
        found = margins(checks, crowd, args.workers, quiet)
        where = "timed runs on their own lane" if quiet else "timed runs in the idle crowd"
        print(f"    {where}: smallest {min(found):.2f}, median "
              f"{sorted(found)[len(found) // 2]:.2f} ({len(found)} comparisons)")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
