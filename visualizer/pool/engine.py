"""``TraceEngine``: traces for an asyncio application, from a pool of warm worker processes.

    async with TraceEngine(workers=2, queue_size=64) as engine:
        trace = await engine.trace(TraceRequest(Path("demo.py"), "main()"))

Where the sandbox is available (``engine.sandbox``), every worker is a sandboxed one, started
ahead of need like any other; where it is not, lesson runs use unsandboxed workers and learner
runs raise ``SandboxUnavailable`` at once.

A ``forked`` engine is for lesson examples only (``lessons check``, the suite): its workers are
forks of one warm interpreter in one shared sandbox (``visualizer.pool.forks``), a few
milliseconds of CPU each instead of a fifth of a second, and it refuses learner code, which
always gets a sandbox of its own. An ``idle`` forked engine's runs get the CPU only when no
other process wants it (``SCHED_IDLE``): runs whose timing a lesson compares go to a second,
ordinary engine beside it.

Workers are started ahead of need (python with httpx imported, the demo upstream listening,
waiting for a job on a pipe), so a trace starts at once. Each worker runs one trace and exits.
At most ``workers`` traces run at once, at most ``queue_size`` wait; past that ``trace`` raises
``EngineBusy``. ``warm`` workers (at least ``workers``) are kept ready: a worker's start costs
far more CPU than most runs, so a burst (a workshop pressing Run together) is served first from
workers started while the machine was idle. A replacement starts as soon as a ready worker is
taken, so starting and running overlap; at most ``workers`` start at once, so a burst's starts
never crowd out the runs. Everything is done with
asyncio subprocesses and threads for the parsing, so the caller's event loop never blocks.

No run can wedge a slot. The reply travels on a pipe the engine owns (asyncio's
``Process.wait`` waits for every pipe asyncio made, and a paused stdout that a flood filled
never sees its end), and a worker is ended the same way whatever it did: its sandbox killed by
the guard, its process group killed, our ends of its pipes closed, the wait for it bounded by
``REAP_S``, and all of it shielded from the caller's cancellation, so a learner who goes away
takes the run's sandbox with them. The slot is released in a ``finally`` after that.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType

from visualizer.contract.errors import (
    EngineBusy,
    SandboxUnavailable,
    TraceLimitExceeded,
    WorkerFailed,
)
from visualizer.contract.protocol import GO, READY, Job, ReplyReader
from visualizer.contract.request import ProgressCallback, RunState, TraceRequest
from visualizer.pool.authority import Authority, default_authority
from visualizer.pool.forks import ForkServer
from visualizer.pool.guard import SAMPLE_S, Guard
from visualizer.pool.reply import decode
from visualizer.pool.runner import (
    GRACE_S,
    REAP_S,
    STARTUP_ALLOWANCE_S,
    check,
    choose_sandbox,
    guard_check,
    guarded,
    limit_message,
    worker_launch,
)
from visualizer.pool.sandbox import Sandbox, SandboxStatus, sandbox_status
from visualizer.read.model import Trace

_RETRY_S = 1.0
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True, eq=False)
class _Worker:
    """One started worker: where its job goes, the reply channel we read (a pipe of our own,
    not asyncio's, so that waiting for the process never waits for the pipe), its guard, and
    how to kill it and wait for it (bounded by ``REAP_S``)."""

    job: asyncio.StreamWriter
    reply: asyncio.StreamReader
    reply_transport: asyncio.ReadTransport
    guard: Guard | None
    kill: Callable[[], Awaitable[None]]


class TraceEngine:
    """A pool of warm, single-use trace workers."""

    def __init__(
        self,
        *,
        workers: int = 2,
        queue_size: int = 64,
        warm: int | None = None,
        on_progress: ProgressCallback | None = None,
        authority: Authority | None = None,
        bwrap: str = "bwrap",
        forked: bool = False,
        idle: bool = False,
    ) -> None:
        if workers < 1 or queue_size < 0:
            raise ValueError("workers must be at least 1 and queue_size at least 0")
        if idle and not forked:
            raise ValueError("idle runs are forked ones")
        if warm is not None and warm < workers:
            raise ValueError("warm must be at least workers")
        self.workers = workers
        self.warm_target = workers if warm is None else warm
        self.queue_size = queue_size
        # who hears each run's progress (queued, running); the app's Runs layer sets it
        self.on_progress = on_progress
        self._authority = authority
        self.bwrap = bwrap
        self._sandbox: Sandbox | None = None
        self.forked = forked
        self.idle = idle
        self._forks: ForkServer | None = None
        self._forks_lock = asyncio.Lock()
        self._ready: asyncio.Queue[_Worker] = asyncio.Queue()
        self._slots = asyncio.Semaphore(workers)
        self._start_slots = asyncio.Semaphore(workers)
        self._waiting = 0
        self._running = 0
        self._workers: set[_Worker] = set()
        self._starting: set[asyncio.Task[None]] = set()
        self._discarding: set[asyncio.Task[None]] = set()
        self._closed = False
        self._closing = asyncio.Event()

    async def __aenter__(self) -> TraceEngine:
        if self._authority is None:
            self._authority = await asyncio.to_thread(default_authority)
        await asyncio.to_thread(sandbox_status, self.bwrap)
        self._sandbox = choose_sandbox(self.bwrap, "lesson")
        for _ in range(self.warm_target):
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
        # Starting tasks are not cancelled: a cancelled ``create_subprocess_exec`` can hang on
        # CPython 3.11. They see ``_closed`` (or the end of their killed worker's output) and end.
        self._closed = True
        self._closing.set()
        await asyncio.gather(*(self._discard(w) for w in list(self._workers)))
        await asyncio.gather(*self._starting, return_exceptions=True)
        await asyncio.gather(*(self._discard(w) for w in list(self._workers)))
        await asyncio.gather(*self._discarding, return_exceptions=True)
        if self._forks is not None:
            await self._forks.aclose()

    @property
    def sandbox(self) -> SandboxStatus:
        """Whether runs are sandboxed here, and if not why (probed once per bwrap path)."""
        return sandbox_status(self.bwrap)

    @property
    def ready(self) -> int:
        """Warm workers waiting for a job."""
        return self._ready.qsize()

    async def warm(self, timeout_s: float = STARTUP_ALLOWANCE_S) -> None:
        """Wait until ``warm`` workers are ready (for benchmarks and tests)."""
        async with asyncio.timeout(timeout_s * max(1, self.warm_target // self.workers)):
            while self._ready.qsize() < self.warm_target:  # noqa: ASYNC110
                await asyncio.sleep(0.01)

    @property
    def free_slots(self) -> int:
        """Runs that could start now (``workers`` when none is running or being cleaned up)."""
        return self._slots._value

    @property
    def waiting(self) -> int:
        """Traces waiting for a free worker."""
        return self._waiting

    def _progress(self, request: TraceRequest, state: RunState) -> None:
        if self.on_progress is not None:
            self.on_progress(request, state)

    def _start_one(self) -> None:
        if self._closed:
            return
        task = asyncio.create_task(self._start_worker())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def _start_worker(self) -> None:
        async with self._start_slots:
            await self._start_worker_now()

    async def _spawn(self) -> _Worker:
        if self.forked:
            return await self._fork()
        assert self._authority is not None
        guard = Guard.create() if self._sandbox is not None else None
        launch = worker_launch(self._authority, self._sandbox, guard)
        read_fd, write_fd = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                *launch.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=write_fd,
                stderr=asyncio.subprocess.DEVNULL,
                env=launch.env,
                pass_fds=launch.fds,
                cwd="/",
                start_new_session=True,  # one process group: killed as one
            )
        except BaseException:
            os.close(read_fd)
            if guard is not None:
                guard.release()
            raise
        finally:
            os.close(write_fd)
            launch.close()
        if guard is not None:
            guard.attach(process.pid)
        assert process.stdin is not None

        stdin = process.stdin

        async def kill() -> None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            stdin.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), REAP_S)

        return await self._worker(stdin, read_fd, guard, kill)

    async def _worker(
        self,
        job: asyncio.StreamWriter,
        reply_fd: int,
        guard: Guard | None,
        kill: Callable[[], Awaitable[None]],
    ) -> _Worker:
        loop = asyncio.get_running_loop()
        reply = asyncio.StreamReader(limit=_CHUNK, loop=loop)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reply, loop=loop), os.fdopen(reply_fd, "rb", 0)
        )
        worker = _Worker(job, reply, transport, guard, kill)
        self._workers.add(worker)
        return worker

    async def _fork_server(self) -> ForkServer:
        """The running fork server; a new one if there is none or it stopped answering."""
        async with self._forks_lock:
            if self._forks is None or self._forks.failed:
                if self._forks is not None:
                    await self._forks.aclose()
                assert self._authority is not None
                self._forks = await ForkServer.start(self._authority, self._sandbox, idle=self.idle)
            return self._forks

    async def _fork(self) -> _Worker:
        """A worker forked from the fork server (no guard: the server's sandbox is shared by
        every lesson run; see ``visualizer.worker.forkserver``)."""
        server = await self._fork_server()
        child = await server.fork()
        loop = asyncio.get_running_loop()
        try:
            transport, protocol = await loop.connect_write_pipe(
                asyncio.streams.FlowControlMixin, os.fdopen(child.job_fd, "wb", 0)
            )
        except BaseException:
            os.close(child.reply_fd)
            await server.kill(child.pid)
            raise
        job = asyncio.StreamWriter(transport, protocol, None, loop)

        async def kill() -> None:
            job.close()
            await server.kill(child.pid)

        return await self._worker(job, child.reply_fd, None, kill)

    async def _start_worker_now(self) -> None:
        while not self._closed:
            try:
                worker = await self._spawn()
            except WorkerFailed:  # the fork server did not start, or stopped: retry
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), _RETRY_S)
                continue
            worker.job.write(GO)  # the authority was made before the pool started
            line = b""
            if not self._closed:
                with contextlib.suppress(TimeoutError, ValueError, asyncio.IncompleteReadError):
                    line = await asyncio.wait_for(worker.reply.readline(), STARTUP_ALLOWANCE_S)
            if line == READY and not self._closed:
                await self._ready.put(worker)
                return
            await self._discard(worker)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), _RETRY_S)

    async def _discard(self, worker: _Worker) -> None:
        """End ``worker`` whatever it does: kill its sandbox and its process group, close our
        ends of its pipes, and wait for it at most ``REAP_S``. Runs to its end even when the
        caller is cancelled (a disconnected learner must not leave a sandbox running)."""
        task = asyncio.ensure_future(self._end(worker))
        self._discarding.add(task)
        task.add_done_callback(self._discarding.discard)
        await asyncio.shield(task)

    async def _end(self, worker: _Worker) -> None:
        guard = worker.guard
        try:
            if guard is not None:
                await asyncio.to_thread(guard.kill)
            worker.reply_transport.close()
            await worker.kill()
        finally:
            self._workers.discard(worker)
            if guard is not None:
                await asyncio.to_thread(guard.release)

    async def trace(self, request: TraceRequest) -> Trace:
        """Run ``request`` in a warm worker; raises like ``run_trace``, or ``EngineBusy``."""
        if self._closed:
            raise RuntimeError("the TraceEngine is closed")
        if request.origin == "learner" and self.forked:
            raise ValueError(
                "a forked TraceEngine runs lesson examples only: learner code gets a sandbox of"
                " its own"
            )
        if request.origin == "learner" and not self.sandbox.available:
            raise SandboxUnavailable(self.sandbox.reason)
        source = await asyncio.to_thread(check, request)
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
                worker = await asyncio.wait_for(self._ready.get(), STARTUP_ALLOWANCE_S)
            except TimeoutError:
                raise WorkerFailed("no trace worker could be started") from None
            self._progress(request, "running")
            self._running += 1
            self._start_one()  # the replacement warms while this run goes on
            try:
                trace = await self._run(worker, request, source)
            finally:
                self._running -= 1
        except BaseException:
            self._progress(request, "failed")
            raise
        finally:
            self._slots.release()
        self._progress(request, "done")
        return trace

    async def _run(self, worker: _Worker, request: TraceRequest, source: str) -> Trace:
        stdin = worker.job
        job = Job.of(request, source)
        try:
            stdin.write(job.to_json() + b"\n")
            async with asyncio.timeout(request.limits.wall_s + GRACE_S):
                await stdin.drain()
                stdin.close()
                body = await self._reply(worker.reply, ReplyReader(job.nonce), worker.guard)
        except TimeoutError:
            raise TraceLimitExceeded(limit_message(request)) from None
        except (BrokenPipeError, ConnectionResetError):
            raise ReplyReader.ended() from None
        finally:
            await self._discard(worker)
        trace = await asyncio.to_thread(decode, body, job.file)
        return guarded(trace, worker.guard)

    @staticmethod
    async def _reply(
        stdout: asyncio.StreamReader, reader: ReplyReader, guard: Guard | None
    ) -> bytes:
        """Read the framed reply; sample the sandbox meanwhile (see ``visualizer.pool.guard``)."""
        read = asyncio.ensure_future(stdout.read(_CHUNK))
        try:
            while True:
                done, _ = await asyncio.wait({read}, timeout=SAMPLE_S if guard else None)
                if not done:
                    await asyncio.to_thread(guard_check, guard)
                    continue
                chunk = read.result()
                if not chunk:
                    await asyncio.to_thread(guard_check, guard)  # the kernel's memory limit?
                    raise reader.ended()
                body = reader.feed(chunk)
                if body is not None:
                    return body
                read = asyncio.ensure_future(stdout.read(_CHUNK))
        finally:
            read.cancel()
