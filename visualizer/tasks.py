"""Name the event loop's tasks and record when they start and end.

Installed with ``loop.set_task_factory``. The task that runs the traced call is ``main``; tasks
the learner's code creates (``create_task``, ``gather``, ``TaskGroup``, ``wait_for``...) are
named after their coroutine, numbered in creation order (``fetch_one#1``, ``fetch_one#2``).
Tasks that libraries start on their own (anyio starts some while connecting) are named
``internal:...`` and their start and end are not recorded.
"""

from __future__ import annotations

import asyncio
import os
import sys
import types
from collections.abc import Coroutine, Generator
from typing import Any

from visualizer.display import display, exception_text
from visualizer.recorder import Recorder

_ASYNCIO_DIR = os.path.dirname(asyncio.__file__)
_OWN_DIR = os.path.dirname(__file__)

TaskCoroutine = Coroutine[Any, Any, Any] | Generator[Any, None, Any]


class TaskNamer:
    """A task factory that names tasks and reports ``task_start`` / ``task_done``."""

    def __init__(self, recorder: Recorder, traced_file: str) -> None:
        self.recorder = recorder
        self.traced_file = traced_file
        self.root: object | None = None
        self._counts: dict[str, int] = {}

    def __call__(
        self, loop: asyncio.AbstractEventLoop, coro: TaskCoroutine, **kwargs: Any
    ) -> asyncio.Task[Any]:
        creator = self.recorder.task_name()
        task: asyncio.Task[Any] = asyncio.Task(coro, loop=loop, **kwargs)
        if coro is self.root:
            self.root = None
            name, line = "main", None
            learner = True
        else:
            learner, line = self._created_by_learner()
            base = getattr(coro, "__name__", type(coro).__name__)
            given = kwargs.get("name")
            if learner and isinstance(given, str) and given:
                name = given
            else:
                count = self._counts.get(base, 0) + 1
                self._counts[base] = count
                name = f"{base}#{count}" if learner else f"internal:{base}#{count}"
        task.set_name(name)
        if learner:
            by = f" by {creator}" if creator else ""
            detail = f"{display(coro)} wrapped in a task{by}"
            self.recorder.emit("task_start", line, detail, task=name)
            task.add_done_callback(self._done)
        return task

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
        if task.cancelled():
            detail = "cancelled"
        elif (error := task.exception()) is not None:
            detail = f"raised {exception_text(error)}"
        else:
            detail = f"returned {display(task.result())}"
        self.recorder.emit("task_done", None, detail, task=task.get_name())
