"""Capture what the traced code prints and the warnings Python raises while it runs."""

from __future__ import annotations

import io
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from visualizer.contract.events import Warned
from visualizer.worker.recorder import Recorder


class _Output(io.TextIOBase):
    """A text stream that hands what the loop thread writes to the recorder."""

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder
        self._thread = threading.get_ident()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if threading.get_ident() == self._thread:
            self._recorder.write_output(text)
        return len(text)


@contextmanager
def captured(recorder: Recorder, traced_file: str) -> Iterator[None]:
    """Route ``sys.stdout``/``sys.stderr`` and warnings into ``recorder`` for the block."""
    stream = _Output(recorder)
    saved = sys.stdout, sys.stderr

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: object = None,
        line: str | None = None,
    ) -> None:
        if recorder.stopped is not None:
            return  # what stopping the run leaves behind is not the learner's code speaking
        recorder.warnings.append(f"{category.__name__}: {message}")
        recorder.emit(
            Warned(
                t_ms=recorder.now_ms(),
                task=recorder.task_name(),
                line=lineno if filename == traced_file else None,
                category=category.__name__,
                message=str(message),
            )
        )

    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show
        sys.stdout, sys.stderr = stream, stream
        try:
            yield
        finally:
            sys.stdout, sys.stderr = saved
