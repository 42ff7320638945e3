"""The funnel every hook feeds: one list of raw records, one clock, the soft limits.

Everything in the worker that observes the run (the probes in the traced file, the task
factory, the selector, the httpcore trace callback, the output and warning capture) builds a
typed event (``visualizer.contract.events``) stamped with ``now_ms()`` and ``task_name()`` and calls
``Recorder.emit``. The recorder counts, and stops the run cooperatively when a limit is passed:
it sets ``stopped`` and the next probe in the traced code raises ``StopRun``.
"""

from __future__ import annotations

import asyncio
import threading
import time

from visualizer.contract.caps import MAX_REQUESTS
from visualizer.contract.events import (
    AnyEvent,
    BlockCause,
    Printed,
    RequestSent,
    Stopped,
    StopReason,
)

# The lane of a worker thread (``asyncio.to_thread``, ``run_in_executor``): events recorded on
# it carry ``thread <name>`` as their task, so its work is told in a lane of its own.
THREAD_LANE = "thread "


def thread_of(task: str | None) -> str | None:
    """The worker thread's name of a lane ``thread asyncio_0``; None for a task of the loop."""
    if task is not None and task.startswith(THREAD_LANE):
        return task.removeprefix(THREAD_LANE)
    return None


class StopRun(BaseException):
    """Raised inside the traced code once a soft limit has been passed.

    A ``BaseException`` so that the learner's ``except Exception`` does not swallow it.
    """


class Recorder:
    """Collects records for one run and enforces the event, request and output caps (counts,
    so the same program stops at the same place however busy the machine is)."""

    def __init__(
        self, *, max_events: int, max_output_bytes: int, max_requests: int = MAX_REQUESTS
    ) -> None:
        self.records: list[AnyEvent] = []
        # Since the last probe: known blocking calls made, time spent building clients.
        self.blocking: list[BlockCause] = []
        self.building_ms = 0.0
        self.stopped: StopReason | None = None
        self.max_events = max_events
        self.max_requests = max_requests
        self.requests = 0
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
        return round((time.perf_counter() - self._t0) * 1000.0, 2)  # 10 µs: finer is noise

    def at_ms(self, perf_counter: float) -> float:
        return (perf_counter - self._t0) * 1000.0

    def task_name(self) -> str | None:
        """The name of the task running now on this thread's loop, if any; on a worker thread,
        its lane (``thread asyncio_0``)."""
        loop = asyncio._get_running_loop()
        if loop is None:
            if threading.get_ident() != self.loop_thread:
                return THREAD_LANE + threading.current_thread().name
            return None
        task = asyncio.current_task(loop)
        return task.get_name() if task is not None else None

    def on_loop_thread(self) -> bool:
        return threading.get_ident() == self.loop_thread

    def emit(self, event: AnyEvent) -> None:
        """Record one event (made by the caller with ``now_ms()`` and ``task_name()``)."""
        if self.stopped is not None:
            return
        if len(self.records) >= self.max_events:
            self.stop("steps")
            return
        if isinstance(event, RequestSent):
            if self.requests >= self.max_requests:
                self.stop("requests")
                return
            self.requests += 1
        self.records.append(event)

    def note_blocking(self, cause: BlockCause) -> None:
        """A known blocking call (``time.sleep``, a sync request) ran on the loop's thread."""
        if threading.get_ident() == self.loop_thread:
            self.blocking.append(cause)

    def write_output(self, text: str) -> None:
        """Keep what the traced code prints, up to the output cap."""
        if self.stopped is not None:
            raise StopRun
        size = len(text.encode("utf-8", "replace"))
        room = self.max_output_bytes - self.output_bytes
        self.output.append(text[:room] if size > room else text)
        self.output_bytes += min(size, room)
        if text.strip():
            self.emit(
                Printed(
                    t_ms=self.now_ms(),
                    task=self.task_name(),
                    line=self.last_line,
                    text=text.rstrip("\n")[:200],
                )
            )
        if size > room:
            self.stop("output")
            raise StopRun

    def stop(self, reason: StopReason) -> None:
        """Stop at a limit: later probes raise ``StopRun`` and the root task is cancelled."""
        if self.stopped is not None:
            return
        self.records.append(Stopped(t_ms=self.now_ms(), line=self.last_line, reason=reason))
        self.stopped = reason
        for loop in self._stop_listeners:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_cancel_all, loop)

    def cancel_on_stop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._stop_listeners.append(loop)


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    for task in asyncio.all_tasks(loop):
        task.cancel()
