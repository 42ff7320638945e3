"""``TraceService``: real traced runs of lesson examples, recorded once, kept and shared.

    service = trace_service(settings, store)
    service.start()                                  # warms the workers in the background
    run = await service.record(lesson, "canonical")  # queued, run in a worker, stored
    run.trace.variables[3]["response"]               # 'Response [200 OK]'
    await service.get(run.id)                        # the same run, also after a restart

Every run goes through the ``TraceEngine``'s worker processes and its bounded queue, so the
server's own event loop stays free. An identical request (same file content, call and watch)
reuses the last recorded run unless ``fresh=True``; identical requests made while one is
recording share that one run. Recorded runs are kept in the database (``trace_runs``) with an
in-memory LRU in front (cachetools, bounded by the runs' size), so a link to a step of a run
keeps working.

``submit`` starts (or joins) a run and returns its key at once, ``progress(key)`` tells where it
is (queued with how many ahead, running, done, failed) and ``wait(key)`` waits for it: that is
what lets a page show "recording a real run…" and fill it in when the run is done.

Fair load. Runs wait for a worker in a ``FairQueue`` (``loopscope.runs.queue``): turns go
round-robin between client addresses and learners (``loopscope.caller`` says who is asking),
and one address holds at most its share of the queue. A run is kept only while someone wants
it: a request waiting for it in ``wait``, or a page that asked for it (``submit``) and polls
its ``progress`` (each call keeps it wanted for ``lease_s``). When the last one leaves (the
client disconnected, or its wait ran out and it was answered 503) the run is cancelled, and
the engine kills its worker and sandbox.

    TraceServiceError       (the engine's own errors are wrapped here, never passed on)
     ├── SandboxOff      learner code cannot run: the sandbox cannot start (its reason)
     ├── TraceBusy       the queue is full: try again shortly
     │    └── TraceShareUsed  this client address already holds its share of the queue
     ├── TraceTimedOut   the run did not finish within the wait bound (the run is then stopped
     │                   unless someone else still waits for it or polls it)
     ├── CallerGone      the client went away while waiting; the run is stopped likewise
     └── TraceFailed     the engine could not record the run (wraps the engine's TraceError)
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import logging
import secrets
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Final, Protocol

from cachetools import LRUCache
from pydantic import ValidationError

from lessons import Lesson, UnknownItem
from loopscope.caller import Caller, current_caller
from loopscope.datadir import private_dir, write_private
from loopscope.records import RecordedRun, RunProgress
from loopscope.runs.decode import decode_kept
from loopscope.runs.queue import FairQueue, QueueRefused, ShareUsed, Ticket
from loopscope.settings import Settings
from loopscope.storage import RunBudget, Store, StoredRun
from visualizer import (
    SCHEMA,
    EngineBusy,
    Limits,
    SandboxStatus,
    Trace,
    TraceEngine,
    TraceError,
    TraceRequest,
)
from visualizer.contract.request import ProgressCallback, RunState

log = logging.getLogger("loopscope.runs.service")

# Recorded runs kept parsed in memory, bounded by what they keep alive: the trace's JSON and
# its decoded records, measured at about 4.3 times the JSON (a 4.8 MB trace holds 20.5 MB).
_CACHE_BYTES: Final = 96 * 1024 * 1024
KEPT_PER_JSON_BYTE: Final = 6
_FINISHED_KEPT: Final = 256
RUN_ID_PATTERN: Final = r"^[A-Za-z0-9_-]{8,64}$"
RUN_KEY_PATTERN: Final = r"^[0-9a-f]{32}$"
# A page that asked for a run and polls it (every 500 ms) keeps it wanted this long per poll.
LEASE_S: Final = 10.0
STOPPED_MESSAGE: Final = "the run was stopped: nobody was waiting for it any more"


class TraceBackend(Protocol):
    """What the Runs layer needs of a trace engine, the way httpx takes a ``transport=``:
    ``visualizer.TraceEngine`` (worker processes in the sandbox) is one, a test's fake another.
    ``create_app(settings, engine=...)`` takes one; the service sets ``on_progress``."""

    on_progress: ProgressCallback | None

    @property
    def sandbox(self) -> SandboxStatus: ...

    async def __aenter__(self) -> object: ...

    async def aclose(self) -> None: ...

    async def trace(self, request: TraceRequest) -> Trace: ...


class TraceServiceError(Exception):
    """Base class of the errors a page may meet when it asks for a run."""


class SandboxOff(TraceServiceError):
    """Learner code cannot run here: the sandbox cannot start (``reason`` says why). Free-form
    code is switched off; lesson examples still run."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TraceBusy(TraceServiceError):
    """Every trace worker is busy and the queue is full."""


class TraceShareUsed(TraceBusy):
    """This client address already holds its share of the queue."""


class TraceTimedOut(TraceServiceError):
    """The run is still queued or recording after the wait bound; it goes on only while someone
    else waits for it or polls it."""


class TraceFailed(TraceServiceError):
    """The engine could not record the run (bad input, a worker that died, a hard limit)."""


class CallerGone(TraceServiceError):
    """The client disconnected while its request waited for the run."""


@dataclass(frozen=True, slots=True)
class _Cached:
    run: RecordedRun
    size: int  # bytes of its trace JSON


@dataclass(frozen=True, slots=True)
class _Spec:
    key: str
    lesson: str
    example: str
    call: str
    knobs: tuple[tuple[str, str], ...]
    source: str
    file: Path
    request: TraceRequest


@dataclass(slots=True)
class _InFlight:
    spec: _Spec
    ticket: Ticket
    owner: str | None  # the learner whose stored runs it counts against (learner code only)
    state: RunState = "queued"
    task: asyncio.Task[RecordedRun] | None = None
    waiters: int = 0  # requests inside ``wait`` for it
    leases: dict[str, float] = field(default_factory=dict)  # learner -> wanted until (loop time)
    recheck: asyncio.TimerHandle | None = None
    stopped: bool = False  # cancelled because nobody wanted it
    traced: bool = False  # the engine is done: only storing is left, never cancelled


def request_key(source: str, call: str, watch: tuple[str, ...]) -> str:
    """What makes two requests identical: the file's content, the call and the watch list.

    The trace schema is part of the key, so a run stored under an older schema is never reused:
    it is recorded again.

    >>> request_key("x = 1\\n", "f()", ()) == request_key("x = 1\\n", "f()", ())
    True
    """
    digest = hashlib.sha256()
    for part in (SCHEMA, source, call, *watch):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


class TraceService:
    """Records runs of lesson examples in the engine and keeps them (see the module docstring)."""

    def __init__(
        self,
        engine: TraceBackend,
        store: Store,
        *,
        timeout_s: float,
        source_dir: Path,
        measure_wait_s: float = 10.0,
        workers: int = 2,
        queue_size: int = 64,
        address_share: int = 16,
        lease_s: float = LEASE_S,
        run_budget: RunBudget | None = None,
    ) -> None:
        self._engine = engine
        self._store = store
        self._queue = FairQueue(slots=workers, capacity=queue_size, share=address_share)
        self.lease_s = lease_s
        self._run_budget = run_budget
        self.timeout_s = timeout_s
        # A caller waits for the queue too: at most the runs ahead of it, bounded.
        self.wait_s = timeout_s * 2
        self._source_dir = source_dir
        engine.on_progress = self.on_engine_progress
        self._started = False
        self._start_lock = asyncio.Lock()
        self._warming: asyncio.Task[None] | None = None
        self._inflight: dict[str, _InFlight] = {}
        self._keys: dict[TraceRequest, str] = {}
        self._finished: LRUCache[str, RunProgress] = LRUCache(maxsize=_FINISHED_KEPT)
        self._cache: LRUCache[str, _Cached] = LRUCache(
            maxsize=_CACHE_BYTES, getsizeof=lambda cached: cached.size
        )
        # Measurements whose timings are compared (Perf) take turns: two recording at once
        # on a 2-core machine would distort each other's wall times and stalls. A turn is
        # waited for at most measure_wait_s (then TraceBusy: a 503 with Retry-After).
        self.measuring = asyncio.Lock()
        self.measure_wait_s = measure_wait_s

    @property
    def sandbox(self) -> SandboxStatus:
        """Whether learner code can run here; pages switch free-form code off with ``reason``."""
        return self._engine.sandbox

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Start the engine's warm workers in the background; returns at once."""
        if self._warming is None and not self._started:
            self._warming = asyncio.create_task(self._ensure_started())

    async def aclose(self) -> None:
        tasks = [flight.task for flight in self._inflight.values() if flight.task is not None]
        if self._warming is not None:
            tasks.append(self._warming)  # type: ignore[arg-type]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._started:
            await self._engine.aclose()

    async def _ensure_started(self) -> None:
        async with self._start_lock:
            if not self._started:
                await self._engine.__aenter__()
                self._started = True

    # -- the API the pages use -----------------------------------------------------------------

    async def record(
        self,
        lesson: Lesson,
        example: str,
        *,
        call: str | None = None,
        knobs: Mapping[str, str] = {},
        fresh: bool = False,
    ) -> RecordedRun:
        """Run ``example`` of ``lesson`` (or reuse an identical recorded run) and return it."""
        key = await self.submit(lesson, example, call=call, knobs=knobs, fresh=fresh)
        return await self.wait(key)

    async def submit(
        self,
        lesson: Lesson,
        example: str,
        *,
        call: str | None = None,
        knobs: Mapping[str, str] = {},
        fresh: bool = False,
    ) -> str:
        """Start (or join, or reuse) a run and return its key once it is queued or done.

        Raises ``TraceBusy`` at once when the queue is full.
        """
        return await self._submit_spec(self._spec(lesson, example, call, knobs), fresh=fresh)

    async def _submit_spec(self, spec: _Spec, *, fresh: bool) -> str:
        if not fresh and spec.key not in self._inflight:
            stored = await self._latest(spec.key)
            if stored is not None:
                self._finish(spec.key, RunProgress("done", run_id=stored.id))
                return spec.key
        caller = current_caller()
        flight = self._inflight.get(spec.key)
        if flight is None:
            flight = self._launch(spec, caller)  # raises TraceBusy
        self._lease(flight, caller)
        return spec.key

    async def submit_source(
        self, lesson: str, label: str, source: str, call: str, *, fresh: bool = False
    ) -> str:
        """Start (or join, or reuse) a run of a learner's ``source``; returns its key.

        Learner code only ever runs in the sandbox: where it cannot start this raises
        ``SandboxOff`` with the reason, and nothing runs.
        """
        if not self.sandbox.available:
            raise SandboxOff(self.sandbox.reason)
        key = request_key(source, call, ())
        file = self._source_dir / key / "learner.py"
        request = TraceRequest(file, call, (), Limits(wall_s=self.timeout_s), origin="learner")
        spec = _Spec(key, lesson, label, call, (), source, file, request)
        return await self._submit_spec(spec, fresh=fresh)

    async def record_source(
        self, lesson: str, label: str, source: str, call: str, *, fresh: bool = False
    ) -> RecordedRun:
        """``submit_source`` and wait for the run."""
        return await self.wait(await self.submit_source(lesson, label, source, call, fresh=fresh))

    @contextlib.asynccontextmanager
    async def measuring_turn(self) -> AsyncIterator[None]:
        """Hold the measuring turn; raises ``TraceBusy`` when it is not free within the bound."""
        try:
            async with asyncio.timeout(self.measure_wait_s):
                await self.measuring.acquire()
        except TimeoutError:
            raise TraceBusy("another comparison is being measured") from None
        try:
            yield
        finally:
            self.measuring.release()

    async def recorded(
        self, lesson: Lesson, example: str, *, call: str | None = None
    ) -> RecordedRun | None:
        """The last recorded run of an identical request, if any; starts nothing and waits for
        nothing (while a fresh run records, this is the one before it)."""
        spec = self._spec(lesson, example, call, {})
        stored = await self._latest(spec.key)
        if stored is None:
            return None
        cached = self._cache.get(stored.id)
        return cached.run if cached is not None else await self._remember(stored)

    async def wait(self, key: str) -> RecordedRun:
        """The run for ``key``, waiting for it if it is still recording (up to ``wait_s``).

        Raises ``TraceTimedOut`` past the bound and ``CallerGone`` when the request's client
        disconnects; either way this caller no longer wants the run (see the module docstring).
        """
        flight = self._inflight.get(key)
        if flight is not None and flight.task is not None:
            return await self._wait_for(flight, flight.task)
        progress = self._finished.get(key)
        if progress is not None and progress.run_id is not None:
            found = await self.get(progress.run_id)
            if found is not None:
                return found
        if progress is not None and progress.state == "failed":
            raise TraceFailed(progress.message or "the run could not be recorded")
        raise TraceFailed("no run is known under this key")

    async def known(self, lesson: Lesson, example: str) -> RecordedRun | None:
        """The example's run when this process knows it is recorded, with no database read
        (``submit`` reads the newest stored run on every call); None otherwise. This process's
        fresh runs of it replace it at once; one recorded by another process is seen once this
        process no longer remembers its own."""
        progress = self.progress(self._spec(lesson, example, None, {}).key)
        if progress is None or progress.state != "done" or progress.run_id is None:
            return None
        return await self.get(progress.run_id)

    async def get(self, run_id: str) -> RecordedRun | None:
        """A recorded run by id: from the LRU, else from the database."""
        found = self._cache.get(run_id)
        if found is not None:
            return found.run
        stored = await self._store.run(run_id)
        return await self._remember(stored) if stored is not None else None

    def progress(self, key: str) -> RunProgress | None:
        """Queued (with how many runs will start before it), running, done or failed; None:
        unknown. Asking keeps the run wanted for ``lease_s`` more (a page polling it)."""
        flight = self._inflight.get(key)
        if flight is None:
            return self._finished.get(key)
        self._lease(flight, current_caller())
        if flight.state != "queued":
            return RunProgress(flight.state)
        return RunProgress("queued", ahead=self._queue.ahead(flight.ticket))

    # -- inside --------------------------------------------------------------------------------

    def _spec(
        self, lesson: Lesson, example: str, call: str | None, knobs: Mapping[str, str]
    ) -> _Spec:
        found = lesson.meta.examples.get(example)
        if found is None or example not in lesson.sources:
            raise UnknownItem("example", example, lesson=lesson.slug)
        source = lesson.sources[example]
        run_call = call if call is not None else found.call
        key = request_key(source, run_call, found.watch)
        # Content-addressed: the file the worker runs is exactly the text that was hashed.
        file = self._source_dir / key / PurePosixPath(found.file).name
        request = TraceRequest(file, run_call, found.watch, Limits(wall_s=self.timeout_s))
        return _Spec(
            key,
            lesson.slug,
            example,
            run_call,
            tuple(sorted((str(k), str(v)) for k, v in knobs.items())),
            source,
            file,
            request,
        )

    def _launch(self, spec: _Spec, caller: Caller | None) -> _InFlight:
        address = caller.address if caller is not None else ""
        learner = caller.learner if caller is not None else ""
        try:
            ticket = self._queue.admit(address=address, learner=learner)
        except ShareUsed as exc:
            raise TraceShareUsed(str(exc)) from None
        except QueueRefused as exc:
            raise TraceBusy(str(exc)) from None
        owner = (learner or None) if spec.request.origin == "learner" else None
        flight = _InFlight(spec, ticket, owner)
        self._inflight[spec.key] = flight
        self._keys[spec.request] = spec.key
        flight.task = asyncio.create_task(self._run(flight))
        flight.task.add_done_callback(_retrieve)
        return flight

    def on_engine_progress(self, request: TraceRequest, state: RunState) -> None:
        key = self._keys.get(request)
        flight = self._inflight.get(key) if key is not None else None
        if flight is not None:
            flight.state = state

    # -- who still wants a run -----------------------------------------------------------------

    async def _wait_for(self, flight: _InFlight, task: asyncio.Task[RecordedRun]) -> RecordedRun:
        caller = current_caller()
        flight.waiters += 1
        wanted = False  # when this wait ends early, does this caller still want the run?
        try:
            async with _watching(caller) as gone:
                gone_wait = asyncio.ensure_future(gone.wait())
                try:
                    await asyncio.wait(
                        {task, gone_wait}, timeout=self.wait_s, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    gone_wait.cancel()
            if task.done():
                wanted = True
                return task.result()
            if gone.is_set():
                raise CallerGone("the page that asked for this run was closed")
            raise TraceTimedOut("the run is still recording; it will be ready in a moment")
        finally:
            flight.waiters -= 1
            if not wanted:
                flight.leases.pop(caller.learner if caller is not None else "", None)
            self._stop_if_unwanted(flight)

    def _lease(self, flight: _InFlight, caller: Caller | None) -> None:
        loop = asyncio.get_running_loop()
        flight.leases[caller.learner if caller is not None else ""] = loop.time() + self.lease_s
        if flight.recheck is None:
            flight.recheck = loop.call_later(self.lease_s, self._recheck, flight)

    def _recheck(self, flight: _InFlight) -> None:
        flight.recheck = None
        self._stop_if_unwanted(flight)

    def _stop_if_unwanted(self, flight: _InFlight) -> None:
        """Cancel the run when nobody waits for it and no lease is left; else check again when
        the first lease runs out."""
        task = flight.task
        if task is None or task.done() or flight.stopped or flight.traced:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        for learner, until in list(flight.leases.items()):
            if until <= now:
                del flight.leases[learner]
        if flight.waiters or flight.leases:
            if not flight.waiters and flight.recheck is None:
                flight.recheck = loop.call_at(min(flight.leases.values()), self._recheck, flight)
            return
        flight.stopped = True
        log.info("run %s is stopped: nobody wants it any more", flight.spec.key)
        task.cancel()

    async def _run(self, flight: _InFlight) -> RecordedRun:
        spec = flight.spec
        try:
            await self._ensure_started()
            await asyncio.to_thread(_write_source, spec.file, spec.source)
            async with self._queue.turn(flight.ticket):
                trace = await self._engine.trace(spec.request)
            flight.traced = True
            run = RecordedRun(
                id=secrets.token_urlsafe(12),
                lesson=spec.lesson,
                example=spec.example,
                call=spec.call,
                knobs=spec.knobs,
                trace=trace,
                created_at=datetime.now(UTC),
            )
            trace_json = trace.json_bytes().decode()  # as the worker wrote it: no re-dump
            size = len(trace_json) * KEPT_PER_JSON_BYTE
            await self._store.save_run(
                StoredRun(
                    run.id,
                    spec.key,
                    run.lesson,
                    run.example,
                    run.call,
                    run.knobs,
                    trace_json,
                    run.created_at,
                    learner=flight.owner,
                    # learner code is kept with its run, in the run's transaction
                    source=spec.source if spec.request.origin == "learner" else None,
                ),
                budget=self._run_budget,
            )
        except EngineBusy as exc:
            self._finish(spec.key, RunProgress("failed", message=str(exc)))
            raise TraceBusy(str(exc)) from exc
        except TraceError as exc:
            self._finish(spec.key, RunProgress("failed", message=str(exc)))
            raise TraceFailed(str(exc)) from exc
        except BaseException:
            message = STOPPED_MESSAGE if flight.stopped else "the run was interrupted"
            self._finish(spec.key, RunProgress("failed", message=message))
            raise
        finally:
            self._queue.drop(flight.ticket)  # a run that failed before its turn
            if flight.recheck is not None:
                flight.recheck.cancel()
            self._inflight.pop(spec.key, None)
            self._keys.pop(spec.request, None)
        self._keep(run, size)
        self._finish(spec.key, RunProgress("done", run_id=run.id))
        return run

    async def _latest(self, key: str) -> StoredRun | None:
        return await self._store.latest_run(key)

    async def _remember(self, stored: StoredRun) -> RecordedRun | None:
        try:
            # In small pieces, the collector paused: the loop keeps answering (tracedecode).
            trace = await asyncio.to_thread(decode_kept, stored.trace_json)
        except ValidationError:
            # A run stored under an older trace schema: not read (its events were sentences).
            log.info("run %s has an older trace schema; it is not shown", stored.id)
            return None
        run = RecordedRun(
            stored.id,
            stored.lesson,
            stored.example,
            stored.call,
            stored.knobs,
            trace,
            stored.created_at,
        )
        self._keep(run, len(stored.trace_json) * KEPT_PER_JSON_BYTE)
        return run

    def _keep(self, run: RecordedRun, size: int) -> None:
        """Cache ``run``, and take what is alive now out of the collector's generations.

        A big trace is hundreds of thousands of objects; with a few of them cached, every full
        collection walked them all, 300-650 ms holding the GIL wherever it happened to start (a
        render thread, the engine's thread), and every request waited. Frozen objects are
        still freed by reference counting when the cache lets them go (a trace holds no
        cycles); only cyclic garbage alive at this moment is kept for good.
        """
        self._cache[run.id] = _Cached(run, size)
        gc.collect(1)  # the young generations: cheap, and what is garbage there is not frozen
        gc.freeze()

    def _finish(self, key: str, progress: RunProgress) -> None:
        self._finished[key] = progress


def _write_source(file: Path, source: str) -> None:
    if file.exists():
        return
    private_dir(file.parent)  # the data folder is private (``loopscope.datadir``)
    partial = file.with_suffix(f".{secrets.token_hex(4)}.tmp")
    write_private(partial, source)
    partial.replace(file)


def _watching(caller: Caller | None) -> contextlib.AbstractAsyncContextManager[asyncio.Event]:
    if caller is None:
        return contextlib.nullcontext(asyncio.Event())  # no client to lose (a timer, the CLI)
    return caller.watching()


def _retrieve(task: asyncio.Task[RecordedRun]) -> None:
    # A failed run nobody waited for must not log "exception was never retrieved".
    if not task.cancelled():
        with contextlib.suppress(BaseException):
            task.exception()


def trace_engine(settings: Settings) -> TraceEngine:
    """The engine the settings ask for: warm workers in the sandbox."""
    return TraceEngine(
        workers=settings.trace_workers,
        queue_size=settings.trace_queue,
        warm=settings.trace_pool,
        bwrap=settings.bwrap_path,
    )


def trace_service(
    settings: Settings, store: Store, engine: TraceBackend | None = None
) -> TraceService:
    """The app's service, sized by the settings, on ``engine`` (default: ``trace_engine``)."""
    return TraceService(
        engine if engine is not None else trace_engine(settings),
        store,
        timeout_s=settings.trace_timeout_s,
        source_dir=settings.data_dir / "sources",
        measure_wait_s=settings.perf_wait_s,
        workers=settings.trace_workers,
        queue_size=settings.trace_queue,
        address_share=settings.trace_address_share,
        run_budget=settings.run_budget,
    )
