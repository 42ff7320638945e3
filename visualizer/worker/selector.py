"""A selector that records how long the event loop waited in ``select()`` and what woke it.

Given to ``asyncio.SelectorEventLoop(selector)``. Only real waits are recorded (a timeout of
zero means the loop had callbacks ready and merely polled). Sockets are named by the routing
backend at connect time (``Tap.fd_labels``: ``api.example.com:443``), so a wake-up reads as "the
response from api.example.com:443 is readable" rather than as a file descriptor.
"""

from __future__ import annotations

import selectors
import time
from typing import Any

from visualizer.contract.events import IoWait, Wake
from visualizer.worker.netroute import Tap
from visualizer.worker.recorder import Recorder


class RecordingSelector(selectors.DefaultSelector):
    def __init__(self, recorder: Recorder, tap: Tap) -> None:
        super().__init__()
        self.recorder = recorder
        self.tap = tap
        self.wakeup_fd: int | None = None

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is not None and timeout <= 0:
            ready: list[tuple[selectors.SelectorKey, int]] = super().select(timeout)
            return ready
        start = time.perf_counter()
        ready = super().select(timeout)
        waited_ms = (time.perf_counter() - start) * 1000.0
        recorder = self.recorder
        recorder.emit(
            IoWait(t_ms=recorder.now_ms(), ms=round(waited_ms, 3), woken=self._woken_by(ready))
        )
        return ready

    def _woken_by(self, ready: list[tuple[selectors.SelectorKey, int]]) -> tuple[Wake, ...]:
        """Why ``select()`` returned; an empty tuple means a timer was due."""
        reasons: list[Wake] = []
        for key, events in ready:
            fd: Any = key.fd
            if fd == self.wakeup_fd:
                reasons.append(Wake(reason="thread"))
            elif events & selectors.EVENT_WRITE and self.tap.connecting:
                reasons.append(Wake(reason="connected", peer=self.tap.connecting))
            else:
                reasons.append(
                    Wake(
                        reason="socket",
                        peer=self.tap.fd_labels.get(fd, ""),
                        readable=bool(events & selectors.EVENT_READ),
                        writable=bool(events & selectors.EVENT_WRITE),
                    )
                )
        return tuple(reasons)
