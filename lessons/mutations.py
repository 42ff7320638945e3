"""A lesson's own set of lies: edits that ``loopscope lessons check`` must catch.

Every lesson folder keeps a ``mutations.yaml`` beside its other files. Each mutation is one
exact text edit of one file of a copy of the lesson: a number changed in a sentence a ``says``
phrase binds, a number changed in free prose that no evidence holds (``prose``: a task text,
caught by ``lessons.statements``), a quiz answer moved, a myth's verdict flipped, an example
broken in exactly the mechanism its claim names. ``tests/lessons/test_mutations.py`` applies
each to a fresh copy and asserts that the check fails, on the check the mutation names when it
names one. See docs/lesson-evidence.md.

    mutations:
      - id: default-timeout-number
        kind: number
        file: recall.yaml
        at: "id: quiz-default-timeout"      # optional: start looking here
        replace: "5 seconds, for each phase"
        with: "30 seconds, for each phase"
        fails: "recall.yaml: quiz.3.evidence"   # optional: this check must fail
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError

from lessons.errors import LessonFileError
from lessons.models_base import Model

MUTATIONS_FILE = "mutations.yaml"
Kind = Literal["number", "prose", "answer", "myth", "mechanism", "name", "other"]
# What every lesson's set must hold at least one of.
REQUIRED_KINDS: tuple[Kind, ...] = ("number", "prose", "answer", "myth", "mechanism")


class Mutation(Model):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    kind: Kind
    file: str = Field(pattern=r"^[a-z0-9_./-]+$")  # inside the lesson folder, e.g. examples/x.py
    at: str | None = None  # the edit is made at the first ``replace`` after this text
    replace: str = Field(min_length=1)
    with_: str = Field(alias="with")
    fails: str | None = None  # a check label after the slug, e.g. "deep.yaml: steps.4.evidence"


class MutationSet(Model):
    mutations: tuple[Mutation, ...] = Field(min_length=1)


class MutationError(Exception):
    """A mutation that cannot be applied: its file or text is not there."""


def load_mutations(folder: Path) -> MutationSet:
    """The mutation set of a lesson folder; ``LessonFileError`` names the file and key."""
    path = folder / MUTATIONS_FILE
    where = f"{folder.name}/{MUTATIONS_FILE}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LessonFileError(where, f"cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise LessonFileError(where, f"YAML syntax error: {exc}") from None
    try:
        found = MutationSet.model_validate(data)
    except ValidationError as exc:
        message = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise LessonFileError(where, message) from None
    ids = [mutation.id for mutation in found.mutations]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise LessonFileError(where, f"mutations: ids repeat: {', '.join(repeated)}")
    return found


def missing_kinds(mutations: MutationSet) -> tuple[Kind, ...]:
    kinds = {mutation.kind for mutation in mutations.mutations}
    return tuple(kind for kind in REQUIRED_KINDS if kind not in kinds)


def apply(mutation: Mutation, folder: Path) -> None:
    """Make the edit in ``folder`` (a copy of the lesson); ``MutationError`` if it cannot."""
    path = folder / mutation.file
    if not path.resolve().is_relative_to(folder.resolve()):
        raise MutationError(f"{mutation.id}: {mutation.file} is outside the lesson")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MutationError(f"{mutation.id}: cannot read {mutation.file}: {exc.strerror}") from None
    start = 0
    if mutation.at is not None:
        start = text.find(mutation.at)
        if start < 0:
            raise MutationError(f"{mutation.id}: {mutation.at!r} is not in {mutation.file}")
    where = text.find(mutation.replace, start)
    if where < 0:
        raise MutationError(f"{mutation.id}: {mutation.replace!r} is not in {mutation.file}")
    edited = text[:where] + mutation.with_ + text[where + len(mutation.replace) :]
    path.write_text(edited, encoding="utf-8")
