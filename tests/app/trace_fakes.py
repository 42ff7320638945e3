"""A stand-in for the TraceEngine: canned traces, no worker processes, and a seam for busy/slow."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import TracebackType

from visualizer import EngineBusy, SandboxStatus, Trace, TraceRequest
from visualizer.contract.request import ProgressCallback, RunState

SAMPLES = Path(__file__).resolve().parent / "samples"


def canonical_trace() -> Trace:
    """A real recorded run of the lesson's fetch_data (see samples/canonical_trace.json)."""
    return Trace.model_validate_json((SAMPLES / "canonical_trace.json").read_text())


class FakeEngine:
    """Answers every request with ``trace`` (its call replaced); records what it was asked."""

    def __init__(self, trace: Trace | None = None) -> None:
        self.trace_answer = trace or canonical_trace()
        self.requests: list[TraceRequest] = []
        self.sandbox = SandboxStatus(True)
        self.busy = False
        self.gate: asyncio.Event | None = None  # set: runs wait for it (a slow run)
        self.held = asyncio.Event()  # set once a run waits at the gate
        # Like TraceEngine(on_progress=...): the service learns "queued" and "running" from it.
        self.on_progress: ProgressCallback | None = None

    def progress(self, request: TraceRequest, state: RunState) -> None:
        if self.on_progress is not None:
            self.on_progress(request, state)

    async def __aenter__(self) -> FakeEngine:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        return None

    async def trace(self, request: TraceRequest) -> Trace:
        if self.busy:
            raise EngineBusy("all 1 trace workers are busy and 1 traces are waiting")
        self.requests.append(request)
        self.progress(request, "queued")
        self.progress(request, "running")
        if self.gate is not None:
            self.held.set()
            await self.gate.wait()
        return self.trace_answer.model_copy(update={"call": request.call})
