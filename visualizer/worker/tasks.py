"""Name the event loop's tasks and record when they start and end.

Installed with ``loop.set_task_factory``. Tasks carry the learner's names: the task that runs
the traced call is named by the call as written (``fetch_data("https://api.example.com/data")``);
tasks the learner's code creates (``create_task``, ``gather``, ``TaskGroup``, ``wait_for``...)
are named after their coroutine function and its arguments (``fetch_one(client, 'https://…')``,
``AsyncClient.get('https://…')``), with `` #2``, `` #3`` added when a name repeats, unless the
learner named the task. Tasks that libraries start on their own (anyio starts some while
connecting) are named ``internal:...`` and their start and end are not recorded.
"""

from __future__ import annotations

import asyncio
import os
import sys
import types
from collections.abc import Coroutine, Generator
from typing import Any

from visualizer.appdriver import shown_call
from visualizer.contract.events import Outcome, TaskDone, TaskStarted
from visualizer.worker.display import display, exception_text
from visualizer.worker.recorder import Recorder

_ASYNCIO_DIR = os.path.dirname(asyncio.__file__)
_OWN_DIR = os.path.dirname(os.path.dirname(__file__))
_ARGS_SHOWN = 3
_PLAIN = (str, int, float, bool, bytes, type(None))

TaskCoroutine = Coroutine[Any, Any, Any] | Generator[Any, None, Any]


class TaskNamer:
    """A task factory that names tasks and reports ``task_start`` / ``task_done``."""

    def __init__(self, recorder: Recorder, traced_file: str, call: str = "main()") -> None:
        self.recorder = recorder
        self.traced_file = traced_file
        self.call = " ".join(shown_call(call).split())
        self.root: object | None = None
        self._counts: dict[str, int] = {}

    def __call__(
        self, loop: asyncio.AbstractEventLoop, coro: TaskCoroutine, **kwargs: Any
    ) -> asyncio.Task[Any]:
        creator = self.recorder.task_name()
        task: asyncio.Task[Any] = asyncio.Task(coro, loop=loop, **kwargs)
        root = coro is self.root
        if root:
            self.root = None
            name, line, learner = self._unique(self.call), None, True
        else:
            learner, line = self._created_by_learner()
            given = kwargs.get("name")
            if learner and isinstance(given, str) and given:
                name = given
            elif learner:
                name = self._unique(task_title(coro))
            else:
                base = getattr(coro, "__name__", type(coro).__name__)
                name = self._unique(f"internal:{base}")
        task.set_name(name)
        if learner:
            recorder = self.recorder
            recorder.emit(
                TaskStarted(
                    t_ms=recorder.now_ms(),
                    task=name,
                    line=line,
                    coroutine=display(coro),
                    creator=creator,
                    root=root,
                )
            )
            task.add_done_callback(self._done)
        return task

    def _unique(self, name: str) -> str:
        count = self._counts.get(name, 0) + 1
        self._counts[name] = count
        return name if count == 1 else f"{name} #{count}"

    def _created_by_learner(self) -> tuple[bool, int | None]:
        """Whether the nearest caller outside asyncio (and this package) is the traced file."""
        frame: types.FrameType | None = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            if not filename.startswith((_ASYNCIO_DIR, _OWN_DIR)):
                if filename == self.traced_file:
                    return True, frame.f_lineno
                return False, None
            frame = frame.f_back
        return False, None

    def _done(self, task: asyncio.Task[Any]) -> None:
        outcome: Outcome
        if task.cancelled():
            outcome, value = "cancelled", ""
        elif (error := task.exception()) is not None:
            outcome, value = "raised", exception_text(error)
        else:
            outcome, value = "returned", display(task.result())
        recorder = self.recorder
        recorder.emit(
            TaskDone(t_ms=recorder.now_ms(), task=task.get_name(), outcome=outcome, value=value)
        )


def _argument(name: str, value: object) -> str:
    """A plain value as itself (``'https://…'``, ``3``); anything else by its parameter's name."""
    return display(value, 40) if isinstance(value, _PLAIN) else name


def task_title(coro: object) -> str:
    """``fetch_one(client, 'https://…')``: the coroutine's function and its positional arguments
    (plain values shown, other objects named by their parameter)."""
    code = getattr(coro, "cr_code", None)
    frame = getattr(coro, "cr_frame", None)
    qualname = getattr(coro, "__qualname__", type(coro).__name__)
    function = ".".join(qualname.replace("<locals>.", "").split(".")[-2:])
    if code is None or frame is None:
        return function
    scope = frame.f_locals
    names = [n for n in code.co_varnames[: code.co_argcount] if n not in ("self", "cls")]
    shown = [_argument(n, scope[n]) for n in names[:_ARGS_SHOWN] if n in scope]
    more = ", …" if len(names) > _ARGS_SHOWN else ""
    return f"{function}({', '.join(shown)}{more})"
