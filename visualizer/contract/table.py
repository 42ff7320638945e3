"""The execution table: its rows (``Step``), the traced call's error, and the variable states.

Plain frozen dataclasses, so the worker that condenses a run into rows never imports pydantic;
``visualizer.read.model.Trace`` validates them when a trace is read back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from visualizer.contract.events import NOT_SET


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One row of the execution table, with the variables that changed at it."""

    step: int
    line: int | None
    task: str | None
    action: str
    evaluation: str
    result: str
    changes: dict[str, str] = field(default_factory=dict)
    # The row's task is suspended at an await for this row (its wait): it waits, it does not run.
    waiting: bool = False
    # When the row began, in ms from the start of the run (the event that opened it).
    t_ms: float | None = None
    # What a waiting row's task waits for: network, pool, semaphore, lock, event, condition,
    # queue, sleep, thread, tasks, stream (None: not waiting, or a bare Future).
    waiting_on: str | None = None
    # Changes first seen at this row that its line did not make (another task's doing).
    seen_changed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorInfo:
    """The exception the traced call raised, at the traced file's deepest line."""

    type: str
    message: str
    line: int | None


def variable_names(steps: Iterable[Step]) -> tuple[str, ...]:
    """Every variable key, in the order it first appears."""
    names: dict[str, None] = {}
    for step in steps:
        names.update(dict.fromkeys(step.changes))
        names.update(dict.fromkeys(step.seen_changed))
    return tuple(names)


def variable_states(steps: Iterable[Step]) -> Iterator[dict[str, str]]:
    """The full state after each step, rebuilt from the changes (one fresh dict per step)."""
    listed = tuple(steps)
    names = variable_names(listed)
    state = dict.fromkeys(names, NOT_SET)
    for step in listed:
        state.update(step.seen_changed)
        state.update(step.changes)
        yield dict(state)
