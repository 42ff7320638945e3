"""The ``__ls__`` object the rewritten file calls: its statements, awaits, calls and returns.

This is the hot path: every probe encodes what it sees to display strings at once (no learner
object is kept) and appends one record. ``aw`` wraps an awaitable in ``_Await``, whose
``__await__`` drives the inner iterator by hand (send / throw / close) so that each real
suspension (the inner iterator yielding a Future, or ``None`` for a bare yield) is recorded as
``suspend`` and each way back in as ``resume``.

Blocking is found from the probes' own timestamps: two consecutive probes of one task, with no
suspension between them, more than ``BLOCK_MS`` apart mean the statement at the first probe
held the loop (``time.sleep(1)`` or a sync ``httpx.Client().get`` inside ``async def``).
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import types
from collections.abc import Awaitable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

from visualizer.contract.events import (
    NOT_SET,
    AwaitDone,
    AwaitStarted,
    BlockCause,
    Blocked,
    Caught,
    FrameEntered,
    LineRan,
    Raised,
    Resumed,
    Returned,
    Snapshot,
    Suspended,
    Unwound,
    WaitOn,
    Yielded,
)
from visualizer.contract.inputs import dotted
from visualizer.worker.display import display, error_text
from visualizer.worker.recorder import Recorder, StopRun
from visualizer.worker.rewrite import HIDDEN_PREFIX, AwaitSite, Sites
from visualizer.worker.waiting import waiting_on

BLOCK_MS = 50.0


@dataclass(frozen=True, slots=True)
class Watch:
    """A dotted expression to show next to the locals, e.g. ``response.text``."""

    text: str
    root: str
    attributes: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Watch:
        root, attributes = dotted(text)
        return cls(text.strip(), root, attributes)

    def value_of(self, root: object) -> str:
        value = root
        try:
            for attribute in self.attributes:
                value = getattr(value, attribute)
        except Exception as error:
            return f"(not available: {type(error).__name__})"
        return display(value)


@dataclass(slots=True)
class _Frame:
    label: str
    names: tuple[str, ...]
    watches: tuple[Watch, ...]
    shown: dict[str, str]  # the display strings last recorded: events carry only changes


class Probes:
    """Receives the calls of the instrumented file and feeds the recorder."""

    def __init__(self, recorder: Recorder, sites: Sites, watches: tuple[Watch, ...]) -> None:
        self.recorder = recorder
        self.sites = sites
        self.traced_file = ""
        self.watches = watches
        self.frames: list[_Frame] = []
        self.root_frame: types.FrameType | None = None
        self.root_label: str | None = None
        self._counts: dict[str, int] = {}
        self._last_task: str | None = None
        self._last_t = 0.0
        self._last_cpu = 0.0
        self._last_line: int | None = None
        self._last_frame: str | None = None

    # -- bookkeeping ---------------------------------------------------------------------------

    def _tick(self, task: str | None, line: int | None, frame: str | None) -> None:
        """Note a probe of ``task``; report a stall if the task held the loop since its last."""
        recorder = self.recorder
        if recorder.stopped is not None:
            raise StopRun
        if threading.get_ident() != recorder.loop_thread:
            # A worker thread (to_thread, run_in_executor) never holds the loop: its time is
            # its own, and the loop thread's clock below is untouched by it.
            return
        now = time.perf_counter()
        cpu = time.thread_time()  # this thread's CPU only: a busy worker thread adds nothing
        if task is not None and task == self._last_task:
            causes = recorder.blocking
            cpu_ms = (cpu - self._last_cpu) * 1000.0 - recorder.building_ms
            cause: BlockCause | None = causes[0] if causes else None
            if cause is None and cpu_ms > BLOCK_MS:
                cause = "cpu"
            if cause is not None:
                recorder.emit(
                    Blocked(
                        t_ms=recorder.now_ms(),
                        task=task,
                        line=self._last_line,
                        frame=self._last_frame,
                        ms=round((now - self._last_t) * 1000.0, 3),
                        cpu_ms=round(max(cpu_ms, 0.0), 3),
                        cause=cause,
                        calls=max(len(causes), 1),
                    )
                )
        recorder.blocking.clear()
        recorder.building_ms = 0.0
        self._last_task = task
        self._last_t = now
        self._last_cpu = cpu
        self._last_line = line
        self._last_frame = frame
        self.recorder.last_line = line

    def _encode(self, frame: _Frame, scope: dict[str, Any]) -> dict[str, str]:
        """The display strings of ``frame``'s locals that changed since its last event."""
        shown = frame.shown
        changes: dict[str, str] = {}
        for name in frame.names:
            value = display(scope[name]) if name in scope else NOT_SET
            if shown.get(name) != value:
                shown[name] = changes[name] = value
        for watch in frame.watches:
            value = watch.value_of(scope[watch.root]) if watch.root in scope else NOT_SET
            if shown.get(watch.text) != value:
                shown[watch.text] = changes[watch.text] = value
        return changes

    def _note(self, frame: _Frame, values: dict[str, str]) -> dict[str, str]:
        """Keep ``frame``'s shown values in step with what an event carries."""
        frame.shown.update(values)
        return values

    # -- probes called by the rewritten code ---------------------------------------------------

    def enter(self, site: int, scope: dict[str, Any]) -> int:
        function = self.sites.functions[site]
        caller = sys._getframe(1)
        if caller is self.root_frame:
            label = function.name
            self.root_label = label
            self.root_frame = None
        else:
            count = self._counts.get(function.name, 0) + 1
            self._counts[function.name] = count
            label = f"{function.name}#{count}"
        code = caller.f_code
        # a closure's free variables too: a shared object changed through them is told at the
        # inner function's line that changed it
        names = tuple(
            dict.fromkeys(
                n
                for n in (*code.co_varnames, *code.co_cellvars, *code.co_freevars)
                if not n.startswith(HIDDEN_PREFIX)
            )
        )
        watches = tuple(w for w in self.watches if w.root in names)
        frame = _Frame(label, names, watches, {})
        self.frames.append(frame)
        recorder = self.recorder
        task = recorder.task_name()
        self._tick(task, function.line, label)
        recorder.emit(
            FrameEntered(
                t_ms=recorder.now_ms(),
                task=task,
                line=function.line,
                frame=label,
                function=function.name,
                changes=self._encode(frame, scope),
            )
        )
        return len(self.frames) - 1

    def line(self, frame_id: int, line: int, scope: dict[str, Any]) -> None:
        frame = self.frames[frame_id]
        recorder = self.recorder
        task = recorder.task_name()
        self._tick(task, line, frame.label)
        recorder.emit(
            LineRan(
                t_ms=recorder.now_ms(),
                task=task,
                line=line,
                frame=frame.label,
                changes=self._encode(frame, scope),
            )
        )

    def snap(self, frame_id: int, line: int, scope: dict[str, Any]) -> None:
        """The locals at the end of an ``async with`` block, before ``__aexit__``."""
        frame = self.frames[frame_id]
        recorder = self.recorder
        recorder.emit(
            Snapshot(
                t_ms=recorder.now_ms(),
                task=recorder.task_name(),
                line=line,
                frame=frame.label,
                changes=self._encode(frame, scope),
            )
        )

    def ret(self, frame_id: int, line: int, value: object) -> object:
        frame = self.frames[frame_id]
        task = self.recorder.task_name()
        self._tick(task, line, frame.label)
        self.recorder.emit(
            Returned(
                t_ms=self.recorder.now_ms(),
                task=task,
                line=line,
                frame=frame.label,
                value=display(value),
                changes=self._encode(frame, sys._getframe(1).f_locals),
            )
        )
        return value

    def caught(self, frame_id: int, line: int) -> None:
        frame = self.frames[frame_id]
        task = self.recorder.task_name()
        self._tick(task, line, frame.label)
        error = sys.exc_info()[1]
        self.recorder.emit(
            Caught(
                t_ms=self.recorder.now_ms(),
                task=task,
                line=line,
                frame=frame.label,
                error=error_text(error) if error is not None else None,
                changes=self._encode(frame, sys._getframe(1).f_locals),  # its `as` name bound
            )
        )

    def unwind(self, frame_id: int, error: BaseException) -> None:
        if isinstance(error, GeneratorExit | StopRun):
            return
        label = self.frames[frame_id].label
        tb = error.__traceback__
        line = tb.tb_lineno if tb is not None else None
        recorder = self.recorder
        recorder.emit(
            Unwound(
                t_ms=recorder.now_ms(),
                task=recorder.task_name(),
                line=line,
                frame=label,
                error=error_text(error),
            )
        )

    def aw(self, awaitable: object, frame_id: int, site: int) -> _Await:
        return _Await(self, awaitable, frame_id, site, None)

    def cm(self, manager: object, frame_id: int, enter: int, leave: int) -> _Manager:
        kind = type(manager)
        if not (hasattr(kind, "__aenter__") and hasattr(kind, "__aexit__")):
            raise TypeError(
                f"{kind.__name__!r} object does not support the asynchronous context manager"
                " protocol"
            )
        return _Manager(self, manager, frame_id, enter, leave)

    def ait(self, iterable: object, frame_id: int, site: int) -> _AsyncIterator:
        aiter = getattr(type(iterable), "__aiter__", None)
        if aiter is None:
            raise TypeError(
                f"'async for' requires an object with __aiter__ method, got"
                f" {type(iterable).__name__}"
            )
        return _AsyncIterator(self, aiter(iterable), frame_id, site)

    # -- the await driver ------------------------------------------------------------------------

    def drive(
        self,
        awaitable: object,
        frame_id: int,
        site_id: int,
        holder: _Manager | None,
        iterated: object = None,
    ) -> Generator[Any, Any, Any]:
        site = self.sites.awaits[site_id]
        label = self.frames[frame_id].label
        recorder = self.recorder
        task = recorder.task_name()
        self._tick(task, site.line, label)
        frame = self.frames[frame_id]
        # The learner's frame drives this generator: what changed since its last probe was
        # done by the statement before (or this line, before its await).
        caller = sys._getframe(1)
        before = (
            self._encode(frame, caller.f_locals)
            if caller.f_code.co_filename == self.traced_file
            else {}
        )
        started = AwaitStarted(
            t_ms=recorder.now_ms(),
            task=task,
            line=site.line,
            kind=site.role,
            frame=label,
            text=site.text,
            target=site.target,
            before=before,
        )
        self._note(frame, started.changes)  # the target shows "(awaiting …)" meanwhile
        recorder.emit(started)
        # Awaiting a coroutine of the traced file: its own awaits tell its suspensions.
        nested = (
            isinstance(awaitable, types.CoroutineType)
            and awaitable.cr_code.co_filename == self.traced_file
        )
        holder_object = holder._manager if holder is not None else iterated
        try:
            iterator = _iterator(awaitable)
        except TypeError as error:
            self._raised(task, site.line, label, error)
            raise
        sent: Any = None
        thrown: BaseException | None = None
        first = True  # what the wait is on is told at its first suspension only (the same after)
        while True:
            try:
                yielded = iterator.send(sent) if thrown is None else iterator.throw(thrown)
            except StopIteration as finished:
                value = finished.value
                self._finished(site, frame, value, holder)
                return value
            except StopAsyncIteration:
                if site.role != "anext":
                    raise
                task = recorder.task_name()
                self._tick(task, site.line, label)
                recorder.emit(
                    AwaitDone(
                        t_ms=recorder.now_ms(),
                        task=task,
                        line=site.line,
                        frame=label,
                        value="",
                        end_of_iteration=True,
                    )
                )
                raise
            except BaseException as error:
                if not isinstance(error, StopRun):
                    task = recorder.task_name()
                    self._tick(task, site.line, label)
                    self._raised(task, site.line, label, error)
                raise
            on, subject = _describe_yield(yielded)
            yielded_at = recorder.now_ms()
            if nested:  # the traced coroutine inside told this suspension already
                pass
            elif on != "yield":  # a bare yield is one "yield" event, stamped when it is back
                recorder.emit(
                    Suspended(
                        t_ms=yielded_at,
                        task=recorder.task_name(),
                        line=site.line,
                        on=on,
                        subject=subject,
                        waiting_on=waiting_on(awaitable, holder_object, yielded) if first else None,
                    )
                )
                first = False
            self._last_task = None
            try:
                sent = yield yielded
                thrown = None
            except GeneratorExit:
                _close(iterator)
                raise
            except BaseException as error:
                sent, thrown = None, error
            task = recorder.task_name()
            self._tick(task, site.line, label)
            now = recorder.now_ms()
            if nested:
                continue
            if on == "yield" and thrown is None:
                recorder.emit(
                    Yielded(t_ms=now, task=task, line=site.line, ms=round(now - yielded_at, 2))
                )
                continue
            recorder.emit(
                Resumed(
                    t_ms=now,
                    task=task,
                    line=site.line,
                    thrown=None if thrown is None else error_text(thrown),
                )
            )

    def _raised(self, task: str | None, line: int, label: str, error: BaseException) -> None:
        recorder = self.recorder
        recorder.emit(
            Raised(
                t_ms=recorder.now_ms(), task=task, line=line, frame=label, error=error_text(error)
            )
        )

    def _finished(
        self, site: AwaitSite, frame: _Frame, value: object, holder: _Manager | None
    ) -> None:
        values: dict[str, str] = {}
        if site.role == "aenter" and holder is not None:
            holder.entered = value
        shown: object = value
        if site.role == "aexit" and holder is not None:
            shown = holder.entered
            holder.entered = None
        if site.target is not None and site.role != "aexit":
            values = {site.target: display(value)}
            for watch in self.watches:
                if watch.root == site.target:
                    values[watch.text] = watch.value_of(value)
        elif site.target is not None:
            values = {site.target: display(shown)}
        recorder = self.recorder
        task = recorder.task_name()
        self._tick(task, site.line, frame.label)
        recorder.emit(
            AwaitDone(
                t_ms=recorder.now_ms(),
                task=task,
                line=site.line,
                frame=frame.label,
                value=display(shown),
                changes=self._note(frame, values),
            )
        )


class _Await:
    __slots__ = ("_awaitable", "_frame", "_holder", "_iterated", "_probes", "_site")

    def __init__(
        self,
        probes: Probes,
        awaitable: object,
        frame: int,
        site: int,
        holder: _Manager | None,
        iterated: object = None,
    ) -> None:
        self._probes = probes
        self._awaitable = awaitable
        self._frame = frame
        self._site = site
        self._holder = holder
        self._iterated = iterated

    def __await__(self) -> Generator[Any, Any, Any]:
        return self._probes.drive(
            self._awaitable, self._frame, self._site, self._holder, self._iterated
        )


class _Manager:
    __slots__ = ("_enter", "_frame", "_leave", "_manager", "_probes", "entered")

    def __init__(self, probes: Probes, manager: Any, frame: int, enter: int, leave: int) -> None:
        self._probes = probes
        self._manager = manager
        self._frame = frame
        self._enter = enter
        self._leave = leave
        self.entered: object = None

    def __aenter__(self) -> _Await:
        inner = type(self._manager).__aenter__(self._manager)
        return _Await(self._probes, inner, self._frame, self._enter, self)

    def __aexit__(self, *exc_info: object) -> _Await:
        inner = type(self._manager).__aexit__(self._manager, *exc_info)
        self.entered = self.entered if self.entered is not None else self._manager
        return _Await(self._probes, inner, self._frame, self._leave, self)


class _AsyncIterator:
    __slots__ = ("_frame", "_iterator", "_probes", "_site")

    def __init__(self, probes: Probes, iterator: Any, frame: int, site: int) -> None:
        self._probes = probes
        self._iterator = iterator
        self._frame = frame
        self._site = site

    def __aiter__(self) -> _AsyncIterator:
        return self

    def __anext__(self) -> _Await:
        inner = type(self._iterator).__anext__(self._iterator)
        return _Await(self._probes, inner, self._frame, self._site, None, self._iterator)


def _iterator(awaitable: object) -> Generator[Any, Any, Any]:
    if isinstance(awaitable, types.CoroutineType):
        return awaitable  # type: ignore[return-value]  # send/throw/close like a generator
    method = getattr(type(awaitable), "__await__", None)
    if method is None:
        if isinstance(awaitable, types.GeneratorType) and awaitable.gi_code.co_flags & 0x100:
            return awaitable  # a @types.coroutine generator
        raise TypeError(f"object {type(awaitable).__name__} can't be used in 'await' expression")
    iterator: Generator[Any, Any, Any] = method(awaitable)  # in practice send/throw/close
    return iterator


def _close(iterator: Iterator[Any]) -> None:
    close = getattr(iterator, "close", None)
    if close is not None:
        close()


def _describe_yield(value: object) -> tuple[WaitOn, str]:
    """What a suspension waits for, and on whom: a task's name, a gather's size."""
    if value is None:
        return "yield", ""
    if isinstance(value, asyncio.Task):
        return "task", value.get_name()
    if isinstance(value, asyncio.Future):
        children = getattr(value, "_children", None)
        if children is not None:
            return "gather", str(len(children))
        return "future", ""
    return "value", display(value, 30)


def awaitable_kind(value: object) -> str | None:
    """``None`` when ``value`` can be awaited, else a phrase saying what it is."""
    if isinstance(value, Awaitable | types.CoroutineType):
        return None
    if isinstance(value, types.GeneratorType) and value.gi_code.co_flags & 0x100:
        return None
    return f"{type(value).__name__} {display(value, 40)}"
