"""How long does ``loopscope trace`` take before it traces? Aim: 0.15 s before the worker has
its job.

Runs ``loopscope trace FILE --call 'main()' --json`` on a call that does nothing
(``async def main(): return 1``), ``--repeat`` times, each in a fresh process, and reads three
moments from inside that process, counted from the process's own start (``/proc/self/stat``):
the worker spawned with its job (``subprocess.Popen`` in ``visualizer.pool.runner``), the command
ready for the reply (its own imports done, ``Running.finish`` called) and the reply read, and
the CPU time it and the helpers it waited for (the sandbox probe) had used when it spawned the
worker: on a shared machine the wall clock counts others' work, that figure does not. The
whole run's wall time, measured from outside, is the command's fixed cost: what any trace pays
on top of the traced code. Medians are printed.

The machine may be shared. Usage: ``python bench/cli_start.py [--repeat 7]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

from visualizer.syntax import literal

TRIVIAL = "async def main():\n    return 1\n"
AIM_S = 0.15
SHIM = Path(__file__).with_name("cli_start_shim.py")


def once(file: Path) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(SHIM), str(file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the command failed: {done.stderr[-500:]}")
    json.loads(done.stdout)
    line = next(line for line in done.stderr.splitlines() if line.startswith("MARKS "))
    marks = cast(dict[str, float], literal(line.removeprefix("MARKS ")))
    return wall, marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "trivial.py"
        file.write_text(TRIVIAL)
        once(file)  # warm: the demo authority, the interpreter's files in the page cache
        runs = [once(file) for _ in range(args.repeat)]
    spawned = statistics.median(marks["spawned"] for _, marks in runs)
    cpu = statistics.median(marks["cpu"] for _, marks in runs)
    waiting = statistics.median(marks["waiting"] for _, marks in runs)
    replied = statistics.median(marks["replied"] for _, marks in runs)
    walls = [wall for wall, _ in runs]
    verdict = "met" if spawned <= AIM_S else "MISSED"
    print(f"loopscope trace on a call that does nothing, {args.repeat} runs (medians):")
    print(f"  worker spawned with its job  {spawned:.3f} s  (aim <= {AIM_S} s: {verdict})")
    print(f"  CPU used until then          {cpu:.3f} s  (the command and its sandbox probe)")
    print(f"  the command's imports done   {waiting:.3f} s")
    print(f"  the reply read               {replied:.3f} s")
    print(
        f"  the whole command, outside   {statistics.median(walls):.3f} s"
        f"  (all: {', '.join(f'{wall:.2f}' for wall in walls)})"
    )
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
