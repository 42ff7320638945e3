"""The funnel every hook feeds: one list of raw records, one clock, the soft limits.

Everything in the worker that observes the run (the probes in the traced file, the task
factory, the selector, the httpcore trace callback, the output and warning capture) calls
``Recorder.emit``. The recorder stamps the time and the current task, counts, and stops the
run cooperatively when a limit is passed: it sets ``stopped`` and the next probe in the traced
code raises ``Stopped``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Literal

StopReason = Literal["time", "steps", "output", "memory", "cpu", "processes", "trace_size"]


class Stopped(BaseException):
    """Raised inside the traced code once a soft limit has been passed.

    A ``BaseException`` so that the learner's ``except Exception`` does not swallow it.
    """


@dataclass(frozen=True, slots=True)
class Record:
    """One raw event, as the worker records it (the public ``Event`` is built from it)."""

    t_ms: float
    kind: str
    task: str | None
    line: int | None
    detail: str
    frame: str | None = None
    request: int | None = None
    ms: float | None = None
    values: dict[str, str] | None = None


class Recorder:
    """Collects records for one run and enforces the event and output caps."""

    def __init__(self, *, max_events: int, max_output_bytes: int) -> None:
        self.records: list[Record] = []
        self.stopped: StopReason | None = None
        self.max_events = max_events
        self.max_output_bytes = max_output_bytes
        self.output: list[str] = []
        self.output_bytes = 0
        self.warnings: list[str] = []
        self.last_line: int | None = None
        self.loop_thread = threading.get_ident()
        self._t0 = time.perf_counter()
        self._stop_listeners: list[asyncio.AbstractEventLoop] = []

    def restart_clock(self) -> None:
        self._t0 = time.perf_counter()

    def now_ms(self) -> float:
        return (time.perf_counter() - self._t0) * 1000.0

    def at_ms(self, perf_counter: float) -> float:
        return (perf_counter - self._t0) * 1000.0

    @staticmethod
    def task_name() -> str | None:
        """The name of the task running now on this thread's loop, if any."""
        loop = asyncio._get_running_loop()
        if loop is None:
            return None
        task = asyncio.current_task(loop)
        return task.get_name() if task is not None else None

    def emit(
        self,
        kind: str,
        line: int | None,
        detail: str = "",
        *,
        frame: str | None = None,
        request: int | None = None,
        ms: float | None = None,
        values: dict[str, str] | None = None,
        task: str | None = None,
        t_ms: float | None = None,
    ) -> None:
        """Record one event; ``task=None`` means the current task, ``task=""`` no task."""
        if self.stopped is not None:
            return
        if len(self.records) >= self.max_events:
            self.stop("steps")
            return
        self.records.append(
            Record(
                self.now_ms() if t_ms is None else t_ms,
                kind,
                self.task_name() if task is None else (task or None),
                line,
                detail,
                frame,
                request,
                ms,
                values,
            )
        )

    def write_output(self, text: str) -> None:
        """Keep what the traced code prints, up to the output cap."""
        if self.stopped is not None:
            raise Stopped
        size = len(text.encode("utf-8", "replace"))
        room = self.max_output_bytes - self.output_bytes
        self.output.append(text[:room] if size > room else text)
        self.output_bytes += min(size, room)
        if text.strip():
            self.emit("output", self.last_line, text.rstrip("\n")[:200])
        if size > room:
            self.stop("output")
            raise Stopped

    def stop(self, reason: StopReason) -> None:
        """Stop at a limit: later probes raise ``Stopped`` and the root task is cancelled."""
        if self.stopped is not None:
            return
        line = self.last_line
        what = {
            "time": "the time limit",
            "steps": "the event limit",
            "output": "the output limit",
            "memory": "the memory limit",
            "cpu": "the CPU time limit",
            "processes": "the process limit",
            "trace_size": "the trace size limit",
        }[reason]
        where = f" while running line {line}" if line is not None else ""
        self.records.append(
            Record(self.now_ms(), "stopped", None, line, f"stopped at {what}{where}")
        )
        self.stopped = reason
        for loop in self._stop_listeners:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_cancel_all, loop)

    def cancel_on_stop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._stop_listeners.append(loop)


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    for task in asyncio.all_tasks(loop):
        task.cancel()
