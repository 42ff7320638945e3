"""Helpers for lesson tests: where the fixture lesson lives and ways to break a copy of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from lessons import LessonError, load_lesson

FIXTURES = Path(__file__).parent / "fixtures"
TINY = "tiny-lesson"


def edit_yaml(path: Path, change: Callable[[Any], object]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def load_error(folder: Path) -> str:
    """The message of the error that loading ``folder`` raises."""
    with pytest.raises(LessonError) as caught:
        load_lesson(folder)
    return str(caught.value)


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line of ``path`` containing ``text``."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")
