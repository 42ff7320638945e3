"""A fake ``Runner`` for ``lessons check`` and the trace-like records it answers with."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from lessons.check import Run
from visualizer.read.analysis import RequestRecord, Stall


@dataclass(frozen=True)
class FakeError:
    type: str
    message: str = "no attribute 'text'"
    line: int | None = 7


@dataclass(frozen=True)
class FakeTrace:
    error: FakeError | None = None
    result: str | None = "'{}'"
    warnings: tuple[str, ...] = ()
    wall_ms: float = 50.0
    stopped: object = None
    tcp_connects: int = 1
    requests: tuple[RequestRecord, ...] = ()
    blocked: tuple[Stall, ...] = ()


@dataclass
class FakeRunner:
    """A ``Runner`` answering as the real engine would for the tiny lesson; it records its runs.

    ``await_fixed``: the no-await example behaves as if the await were there, so every claim
    that uses it as a counter-example sees it pass.
    """

    runs: list[Run] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    await_fixed: bool = False

    def __call__(self, run: Run) -> FakeTrace:
        with self.lock:
            self.runs.append(run)
        if run.file.name == "no_await.py" and not self.await_fixed:
            return FakeTrace(
                error=FakeError("AttributeError"),
                result=None,
                warnings=("coroutine 'AsyncClient.get' was never awaited",),
                tcp_connects=0,
            )
        return FakeTrace()
