"""``TraceEngine``: traces for an asyncio application, from a pool of warm worker processes.

    async with TraceEngine(workers=2, queue_size=8) as engine:
        trace = await engine.trace(TraceRequest(Path("demo.py"), "main()"))

Workers are started ahead of need (python with httpx imported, the demo upstream listening,
waiting for a job on a pipe), so a trace starts at once. Each worker runs one trace and exits;
a replacement is started as soon as that trace ends. At most ``workers`` traces run at once,
at most ``queue_size`` wait; past that ``trace`` raises ``EngineBusy``. Everything is done with
asyncio subprocesses and threads for the parsing, so the caller's event loop never blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from types import TracebackType
from typing import Literal

from visualizer.authority import Authority, default_authority
from visualizer.errors import EngineBusy, TraceLimitExceeded, WorkerFailed
from visualizer.model import Trace
from visualizer.protocol import READY, Job, decode
from visualizer.request import TraceRequest
from visualizer.runner import (
    GRACE_S,
    STARTUP_ALLOWANCE_S,
    check,
    limit_message,
    worker_command,
    worker_env,
)

Progress = Literal["queued", "running", "done", "failed"]
ProgressCallback = Callable[[TraceRequest, Progress], None]
_RETRY_S = 1.0


class TraceEngine:
    """A pool of warm, single-use trace workers."""

    def __init__(
        self,
        *,
        workers: int = 2,
        queue_size: int = 8,
        on_progress: ProgressCallback | None = None,
        authority: Authority | None = None,
    ) -> None:
        if workers < 1 or queue_size < 0:
            raise ValueError("workers must be at least 1 and queue_size at least 0")
        self.workers = workers
        self.queue_size = queue_size
        self._on_progress = on_progress
        self._authority = authority
        self._ready: asyncio.Queue[asyncio.subprocess.Process] = asyncio.Queue()
        self._slots = asyncio.Semaphore(workers)
        self._waiting = 0
        self._running = 0
        self._processes: set[asyncio.subprocess.Process] = set()
        self._starting: set[asyncio.Task[None]] = set()
        self._closed = False

    async def __aenter__(self) -> TraceEngine:
        if self._authority is None:
            self._authority = await asyncio.to_thread(default_authority)
        for _ in range(self.workers):
            self._start_one()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        for task in list(self._starting):
            task.cancel()
        await asyncio.gather(*self._starting, return_exceptions=True)
        for process in list(self._processes):
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        await asyncio.gather(*(p.wait() for p in list(self._processes)), return_exceptions=True)
        self._processes.clear()

    @property
    def ready(self) -> int:
        """Warm workers waiting for a job."""
        return self._ready.qsize()

    async def warm(self, timeout_s: float = STARTUP_ALLOWANCE_S) -> None:
        """Wait until every worker that is not busy is warm (for benchmarks and tests)."""
        async with asyncio.timeout(timeout_s):
            while self._ready.qsize() + self._running < self.workers:  # noqa: ASYNC110
                await asyncio.sleep(0.01)

    @property
    def waiting(self) -> int:
        """Traces waiting for a free worker."""
        return self._waiting

    def _progress(self, request: TraceRequest, state: Progress) -> None:
        if self._on_progress is not None:
            self._on_progress(request, state)

    def _start_one(self) -> None:
        if self._closed:
            return
        task = asyncio.create_task(self._start_worker())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def _start_worker(self) -> None:
        assert self._authority is not None
        while not self._closed:
            process = await asyncio.create_subprocess_exec(
                *worker_command(self._authority),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                env=worker_env(),
            )
            self._processes.add(process)
            assert process.stdout is not None
            try:
                line = await asyncio.wait_for(process.stdout.readline(), STARTUP_ALLOWANCE_S)
            except TimeoutError:
                line = b""
            if line == READY:
                await self._ready.put(process)
                return
            await self._discard(process)
            await asyncio.sleep(_RETRY_S)

    async def _discard(self, process: asyncio.subprocess.Process) -> None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        self._processes.discard(process)

    async def trace(self, request: TraceRequest) -> Trace:
        """Run ``request`` in a warm worker; raises like ``run_trace``, or ``EngineBusy``."""
        if self._closed:
            raise RuntimeError("the TraceEngine is closed")
        await asyncio.to_thread(check, request)
        if self._slots.locked() and self._waiting >= self.queue_size:
            raise EngineBusy(
                f"all {self.workers} trace workers are busy and {self._waiting} traces are"
                " waiting; try again in a moment"
            )
        self._waiting += 1
        self._progress(request, "queued")
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            try:
                process = await asyncio.wait_for(self._ready.get(), STARTUP_ALLOWANCE_S)
            except TimeoutError:
                raise WorkerFailed("no trace worker could be started") from None
            self._progress(request, "running")
            self._running += 1
            try:
                trace = await self._run(process, request)
            finally:
                self._running -= 1
                self._start_one()  # after the run: a warming worker would compete for CPU
        except BaseException:
            self._progress(request, "failed")
            raise
        finally:
            self._slots.release()
        self._progress(request, "done")
        return trace

    async def _run(self, process: asyncio.subprocess.Process, request: TraceRequest) -> Trace:
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            process.stdin.write(Job.of(request).model_dump_json().encode() + b"\n")
            await process.stdin.drain()
            process.stdin.close()
            output = await asyncio.wait_for(process.stdout.read(), request.limits.wall_s + GRACE_S)
        except TimeoutError:
            raise TraceLimitExceeded(limit_message(request)) from None
        except (BrokenPipeError, ConnectionResetError):
            output = b""
        finally:
            await self._discard(process)
        return await asyncio.to_thread(decode, output)
