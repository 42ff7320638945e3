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

from visualizer.netroute import Tap
from visualizer.recorder import Recorder

_EVENT_NAMES = {selectors.EVENT_READ: "readable", selectors.EVENT_WRITE: "writable"}


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
        self.recorder.emit("io_wait", None, self._woken_by(ready), ms=round(waited_ms, 3), task="")
        return ready

    def _woken_by(self, ready: list[tuple[selectors.SelectorKey, int]]) -> str:
        if not ready:
            return "woken by a timer (sleep, timeout or call_later)"
        reasons: list[str] = []
        for key, events in ready:
            fd: Any = key.fd
            if fd == self.wakeup_fd:
                reasons.append("a wake-up from another thread")
                continue
            if events & selectors.EVENT_WRITE and self.tap.connecting:
                reasons.append(f"{self.tap.connecting} connected")  # a connect completes
                continue
            label = self.tap.fd_labels.get(fd, "a socket")
            state = " and ".join(name for bit, name in _EVENT_NAMES.items() if events & bit)
            reasons.append(f"{label} {state}")
        return "woken by " + ", ".join(reasons)
