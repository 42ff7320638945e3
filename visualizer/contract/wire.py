"""The contract JSON of a run, written in the worker without pydantic.

The worker pays for its imports on every run (each run has a fresh sandboxed process), and
pydantic's import with the trace model's schema was a fifth of a worker's start. So the worker
writes the JSON here, from the same dataclasses, with the same shape as
``Trace.model_dump_json()``: the keys in field order, an event's default-valued fields left out
(``visualizer.contract.events.compact``) and its ``detail`` made by
``visualizer.contract.event_words``, task names and repeated details written once in tables
(``interned``; reading: ``uninterned``). The parent validates every reply into
``visualizer.read.model.Trace``; a test checks that the two writers agree on real runs.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from typing import Any

from visualizer.contract.caps import Cut
from visualizer.contract.event_words import detail
from visualizer.contract.events import AnyEvent, compact
from visualizer.contract.table import ErrorInfo, Step
from visualizer.read.analysis import request_entries

SCHEMA = "loopscope.trace/5"
_SCALARS = frozenset({str, int, float, bool, type(None)})
_NAMES: dict[type[Any], tuple[str, ...]] = {}


def plain(value: Any) -> Any:
    """``value`` as JSON data: dataclasses become objects (keys in field order), tuples lists.

    Tens of thousands of events go through here in a large run: scalars return at once.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    names = _NAMES.get(kind)
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _NAMES[kind] = tuple(spec.name for spec in fields(kind))
    if names is not None:
        data = {}
        for name in names:
            item = getattr(value, name)
            data[name] = item if type(item) in _SCALARS else plain(item)
        return data
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def event_data(event: AnyEvent) -> dict[str, Any]:
    return compact(plain(event), detail(event))


# Fields left out of the JSON while they hold their default (reading puts them back): a step's
# ``waiting_on`` and ``seen_changed``, a request's ``ended_in``, ``closed`` and ``connects``.
STEP_DEFAULTS: tuple[tuple[str, Any], ...] = (("waiting_on", None), ("seen_changed", {}))
REQUEST_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("ended_in", None),
    ("closed", False),
    ("connects", []),
)


def without_defaults(data: dict[str, Any], defaults: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    for name, default in defaults:
        if data.get(name, default) == default:
            data.pop(name, None)
    return data


# The rows whose ``task`` is written as an index into the trace's ``tasks`` (schema 5).
TASK_ROWS = ("steps", "events", "requests")


def interned(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a trace's JSON data) with each repeated string written once (schema 5).

    A run of 300 requests names its tasks some 11,000 times and says "waits on a Future" some
    2,000 times. Each row's ``task`` (steps, events, requests) becomes its index in ``tasks``,
    the task names in order of first use; an event's ``detail`` that more than one event says
    becomes its index in ``details``. ``uninterned`` puts the strings back. The keys stay.
    """
    tasks: dict[str, int] = {}
    for key in TASK_ROWS:
        for row in data[key]:
            name = row.get("task")
            if name is not None:
                row["task"] = tasks.setdefault(name, len(tasks))
    said = Counter(event["detail"] for event in data["events"])
    details: dict[str, int] = {}
    for event in data["events"]:
        text = event["detail"]
        if said[text] > 1:
            event["detail"] = details.setdefault(text, len(details))
    data["tasks"] = list(tasks)
    data["details"] = list(details)
    return data


def _looked_up(table: list[Any], value: Any, what: str) -> Any:
    if type(value) is not int:
        return value
    if not 0 <= value < len(table) or not isinstance(table[value], str):
        raise ValueError(f"{what} {value} is not in the trace's table of {len(table)}")
    return table[value]


def uninterned(data: Any) -> Any:
    """The trace's JSON data with the strings ``interned`` wrote once put back in each row.

    Data without the tables (made in memory, or an older schema) is returned as it is; an
    index outside its table raises ``ValueError``.
    """
    if not isinstance(data, dict) or ("tasks" not in data and "details" not in data):
        return data
    data = dict(data)
    tasks = data.pop("tasks", None) or []
    details = data.pop("details", None) or []
    if not isinstance(tasks, list) or not isinstance(details, list):
        raise ValueError("a trace's tasks and details are lists of strings")
    for key in TASK_ROWS:
        rows = data.get(key)
        if not isinstance(rows, list):
            continue
        data[key] = rows = [dict(row) if isinstance(row, dict) else row for row in rows]
        for row in rows:
            if isinstance(row, dict) and "task" in row:
                row["task"] = _looked_up(tasks, row["task"], "task")
            if key == "events" and isinstance(row, dict) and "detail" in row:
                row["detail"] = _looked_up(details, row["detail"], "detail")
    return data


def trace_json(
    *,
    file: str,
    call: str,
    watch: Iterable[str],
    root: str | None,
    steps: Iterable[Step],
    events: list[AnyEvent],
    result: str | None,
    error: ErrorInfo | None,
    wall_ms: float,
    stopped: str | None,
    output: str,
    warnings: Iterable[str],
    cut: Cut | None = None,
) -> bytes:
    """The trace's JSON, as ``Trace.model_dump_json()`` writes it."""
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "file": file,
        "call": call,
        "watch": list(watch),
        "root": root,
        "steps": [without_defaults(plain(step), STEP_DEFAULTS) for step in steps],
        "events": [event_data(event) for event in events],
        "result": result,
        "error": plain(error),
        "wall_ms": wall_ms,
        "stopped": stopped,
        "output": output,
        "warnings": list(warnings),
        "requests": [
            without_defaults(plain(entry), REQUEST_DEFAULTS) for entry in request_entries(events)
        ],
        "cut": plain(cut),
    }
    interned(data)
    # Text the traced code made may hold lone surrogates: they become "?" rather than fail.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")
