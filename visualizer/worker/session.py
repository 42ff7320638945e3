"""Run one traced call in this process: instrument, execute, await, collect.

This is what a worker does with a request; the benchmark also uses it in-process (traced and
untraced) to measure the instrumentation's overhead. The soft limits are enforced here: a
watchdog thread stops the run at ``wall_s`` (cooperatively first; then, if the main thread is
stuck in a blocking call, with a signal that raises ``StopRun`` there), the recorder stops at the
event and output caps.
"""

from __future__ import annotations

import asyncio
import builtins
import gc
import signal
import threading
import time
import types
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, SupportsIndex

from visualizer.appdriver import shown_call
from visualizer.contract.errors import BadCall, NotAwaitable
from visualizer.contract.events import AnyEvent, CoroutineCreated, StopReason
from visualizer.contract.inputs import load, parse_call
from visualizer.contract.request import Limits
from visualizer.syntax import compile_module
from visualizer.worker.capture import captured
from visualizer.worker.display import cut, display, full_repr
from visualizer.worker.netroute import Tap, install_httpx2
from visualizer.worker.probes import Probes, Watch, awaitable_kind
from visualizer.worker.recorder import Recorder, StopRun
from visualizer.worker.rewrite import instrument
from visualizer.worker.selector import RecordingSelector
from visualizer.worker.tasks import TaskNamer

_HARD_STOP_AFTER_S = 1.0


@dataclass(frozen=True, slots=True)
class TracedError:
    """An exception the traced code raised: type, message and the traced file's line."""

    type: str
    message: str
    line: int | None


@dataclass(frozen=True, slots=True)
class RawRun:
    """Everything a run produced, before condensing."""

    file: str
    call: str
    watch: tuple[str, ...]
    source: str
    records: list[AnyEvent]
    root: str | None
    result: str | None
    error: TracedError | None
    wall_ms: float
    stopped: StopReason | None
    output: str
    warnings: list[str]
    limits: Limits = field(default_factory=Limits)
    # Set when the worker kept only a prefix of the records: the requests the run made.
    of_requests: int | None = None


def parse_watches(watch: tuple[str, ...]) -> tuple[Watch, ...]:
    try:
        return tuple(Watch.parse(text) for text in watch)
    except ValueError as error:
        raise BadCall(str(error)) from None


def run_traced(file: Path, call: str, watch: tuple[str, ...], limits: Limits, tap: Tap) -> RawRun:
    """Trace ``call`` in ``file``; raises ``TraceInputError`` for bad input."""
    file = file.resolve()
    source, tree = load(file)
    if "httpx2" in source:  # traced like httpx; only then, as importing it costs 60 ms
        install_httpx2(tap)
    expression = parse_call(call)
    watches = parse_watches(watch)
    sites = instrument(tree)
    code = compile_module(tree, str(file))
    recorder = Recorder(
        max_events=limits.max_events,
        max_output_bytes=limits.max_output_bytes,
        max_requests=limits.max_requests,
    )
    probes = Probes(recorder, sites, watches)
    probes.traced_file = str(file)
    namer = TaskNamer(recorder, str(file), call)
    namespace: dict[str, Any] = {
        "__name__": file.stem if file.stem.isidentifier() else "traced",
        "__file__": str(file),
        "__builtins__": builtins,
        "__ls__": probes,
    }
    tap.recorder, tap.traced_file = recorder, str(file)
    _stop_on_cpu_limit(recorder)
    tap.fd_labels.clear()
    tap.connections.clear()
    done = threading.Event()
    watchdog = threading.Thread(
        target=_watchdog, args=(recorder, limits.wall_s, done, threading.get_ident()), daemon=True
    )
    result: str | None = None
    error: TracedError | None = None
    wall_ms = 0.0
    try:
        with captured(recorder, str(file)):
            watchdog.start()
            try:
                exec(code, namespace)
                awaitable = _evaluate(expression, namespace, call, recorder, probes)
                namer.root = awaitable if isinstance(awaitable, types.CoroutineType) else None
                runner = asyncio.Runner(loop_factory=lambda: _loop(recorder, tap, namer))
                started = time.perf_counter()
                try:
                    with blocking_calls_noted(recorder):
                        value = runner.run(_as_coroutine(awaitable, namer))
                    result = full_repr(value)
                    del value
                finally:
                    wall_ms = (time.perf_counter() - started) * 1000.0
                    _close(runner)
            except (NotAwaitable, BadCall):
                raise
            except StopRun:
                pass
            except MemoryError:  # the address-space limit the worker sets
                recorder.stop("memory")
            except asyncio.CancelledError:
                if recorder.stopped is None:
                    error = TracedError("CancelledError", "the awaited call was cancelled", None)
            except BaseException as failure:
                if recorder.stopped is None:
                    error = _failure(failure, str(file))
            finally:
                done.set()
            gc.collect()
    finally:
        tap.recorder = None
    return RawRun(
        file=str(file),
        call=call,
        watch=watch,
        source=source,
        records=recorder.records,
        root=probes.root_label,
        result=result,
        error=error,
        wall_ms=round(wall_ms, 3),
        stopped=recorder.stopped,
        output="".join(recorder.output),
        warnings=list(recorder.warnings),
        limits=limits,
    )


def _evaluate(
    expression: types.CodeType,
    namespace: dict[str, Any],
    call: str,
    recorder: Recorder,
    probes: Probes,
) -> object:
    try:
        awaitable: object = eval(expression, namespace)
    except NameError as error:
        raise BadCall(f"The call {call!r}: {error}") from None
    kind = awaitable_kind(awaitable)
    if kind is not None:
        if isinstance(awaitable, types.GeneratorType):
            awaitable.close()
        raise NotAwaitable(f"The call {call!r} gives {kind}, which cannot be awaited")
    if isinstance(awaitable, types.CoroutineType):
        probes.root_frame = awaitable.cr_frame
        code = awaitable.cr_code
        names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        scope = awaitable.cr_frame.f_locals if awaitable.cr_frame is not None else {}
        recorder.emit(
            CoroutineCreated(
                t_ms=recorder.now_ms(),
                line=code.co_firstlineno,
                frame=code.co_name,
                call=shown_call(call),
                shown=display(awaitable),
                changes={n: display(scope[n]) for n in names if n in scope},
            )
        )
    return awaitable


def _as_coroutine(awaitable: object, namer: TaskNamer) -> Coroutine[Any, Any, Any]:
    if isinstance(awaitable, types.CoroutineType):
        return awaitable

    async def main() -> Any:
        return await awaitable  # type: ignore[misc]

    coroutine = main()
    namer.root = coroutine
    return coroutine


@contextmanager
def blocking_calls_noted(recorder: Recorder) -> Iterator[None]:
    """While the traced call runs, ``time.sleep`` on the loop's thread is noted as blocking."""
    sleep = time.sleep

    def noted_sleep(seconds: float | SupportsIndex) -> None:
        if asyncio._get_running_loop() is not None:
            recorder.note_blocking("sleep")
        sleep(seconds)

    time.sleep = noted_sleep
    try:
        yield
    finally:
        time.sleep = sleep


def _loop(recorder: Recorder, tap: Tap, namer: TaskNamer) -> asyncio.AbstractEventLoop:
    selector = RecordingSelector(recorder, tap)
    loop = asyncio.SelectorEventLoop(selector)
    selector.wakeup_fd = loop._ssock.fileno()  # type: ignore[attr-defined]
    loop.set_task_factory(namer)
    recorder.cancel_on_stop(loop)
    return loop


def _close(runner: asyncio.Runner) -> None:
    try:
        runner.close()
    except BaseException:  # a stopped run may leave tasks that fail while being cancelled
        loop = runner._loop  # type: ignore[attr-defined]
        if loop is not None and not loop.is_closed():
            loop.close()


def _failure(error: BaseException, traced_file: str) -> TracedError:
    line: int | None = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == traced_file:
            line = tb.tb_lineno
        tb = tb.tb_next
    return TracedError(type(error).__name__, cut(str(error), 200), line)


def _watchdog(recorder: Recorder, wall_s: float, done: threading.Event, main: int) -> None:
    if done.wait(wall_s):
        return
    recorder.stop("time")
    if done.wait(_HARD_STOP_AFTER_S):
        return
    signal.pthread_kill(main, signal.SIGUSR1)  # interrupts time.sleep & co in the main thread


def raise_stopped(signum: int, frame: types.FrameType | None) -> None:
    """SIGUSR1 handler installed by the worker: the watchdog's last resort."""
    raise StopRun


def _stop_on_cpu_limit(recorder: Recorder) -> None:
    """Past its soft CPU limit the kernel sends SIGXCPU: stop the run there, as "cpu"."""
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, frame: types.FrameType | None) -> None:
        recorder.stop("cpu")
        raise StopRun

    signal.signal(signal.SIGXCPU, stop)


def install_stop_signal() -> None:
    signal.signal(signal.SIGUSR1, raise_stopped)
