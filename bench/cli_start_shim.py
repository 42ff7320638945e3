"""``loopscope trace FILE --call 'main()' --json``, noting when it spawned its worker, waited
for the reply and read it (seconds since this process started); see ``bench/cli_start.py``."""

from __future__ import annotations

import os
import sys
from typing import Any


def since_start() -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    with open("/proc/self/stat") as stat:
        start = int(stat.read().rsplit(")", 1)[1].split()[19]) / ticks
    with open("/proc/uptime") as uptime:
        return float(uptime.read().split()[0]) - start


marks: dict[str, float] = {}

import visualizer.pool.runner as runner  # noqa: E402 (after the clock above)

_popen = runner.subprocess.Popen
_finish = runner.Running.finish
_exit = os._exit


class _Popen(_popen):  # type: ignore[type-arg,misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        marks["spawned"] = since_start()
        # CPU spent so far, by this process and the helpers it waited for (the sandbox probe):
        # what a loaded machine does not hide, unlike the wall clock
        times = os.times()
        marks["cpu"] = times.user + times.system + times.children_user + times.children_system
        super().__init__(*args, **kwargs)


def _timed_finish(self: runner.Running) -> Any:
    marks["waiting"] = since_start()
    try:
        return _finish(self)
    finally:
        marks["replied"] = since_start()


def _noted_exit(status: int) -> None:
    os.write(2, f"MARKS {marks!r}\n".encode())
    _exit(status)


runner.subprocess.Popen = _Popen  # type: ignore[misc]
runner.Running.finish = _timed_finish  # type: ignore[method-assign]
os._exit = _noted_exit  # type: ignore[assignment]

import loopscope.cli  # noqa: E402

sys.argv = ["loopscope", "trace", sys.argv[1], "--call", "main()", "--json"]
loopscope.cli.main()
