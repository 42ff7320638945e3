"""Walking a lesson: which file holds which part, and every value with its key path.

Validation, reading times and ``lessons check`` all need to visit every value of a lesson with
the dotted key it came from, so that messages can say ``deep.yaml: steps.2.example``.

>>> from lessons.models import Card
>>> [node.key for node in walk(Card(id="c", front="Q?", back="A."))]
['id', 'front', 'back', 'evidence']
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel

from lessons.models import Lesson, Model, ModeName

# Lesson field -> the file of the lesson folder it is read from.
LESSON_FILES: Final[dict[str, str]] = {
    "meta": "lesson.yaml",
    "learn": "learn.md",
    "why": "why.yaml",
    "deep": "deep.yaml",
    "visual": "visual.yaml",
    "try_": "try.yaml",
    "challenge": "challenge.yaml",
    "project": "project.yaml",
    "recall": "recall.yaml",
    "perf": "perf.yaml",
}

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Node:
    """One value met on the walk: a model, a container or a scalar."""

    owner: BaseModel  # the model whose field holds the value (directly or in a container)
    field: str
    value: object
    path: Path_

    @property
    def key(self) -> str:
        return dotted(self.path)


def dotted(path: Path_) -> str:
    return ".".join(str(part) for part in path)


def walk(model: BaseModel, path: Path_ = ()) -> Iterator[Node]:
    """Every value below ``model``, depth first, in field order."""
    for name in type(model).model_fields:
        yield from _walk_value(model, name, getattr(model, name), (*path, name))


def _walk_value(owner: BaseModel, field: str, value: object, path: Path_) -> Iterator[Node]:
    yield Node(owner, field, value, path)
    if isinstance(value, BaseModel):
        yield from walk(value, path)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _walk_value(owner, field, item, (*path, index))
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _walk_value(owner, field, item, (*path, name))


def lesson_parts(lesson: Lesson) -> Iterator[tuple[str, Model]]:
    """(file name, model) for every file of the lesson, in a fixed order."""
    for field, file in LESSON_FILES.items():
        part = getattr(lesson, field)
        assert isinstance(part, Model)
        yield file, part


def mode_part(lesson: Lesson, mode: ModeName) -> Model:
    """The model behind one learning mode (``try`` lives in ``Lesson.try_``)."""
    part = getattr(lesson, "try_" if mode == "try" else mode)
    assert isinstance(part, Model)
    return part
