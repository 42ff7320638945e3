"""The trace as the rest of the world sees it: the contract JSON, as frozen pydantic models.

``Trace.model_dump_json()`` is exactly what ``loopscope trace --json`` prints. Besides the
contract's keys, ``Trace`` offers derived views for the lessons checker, the challenges and the
timeline: ``requests``, ``requests_overlap``, ``max_in_flight``, ``tcp_connects``,
``clients_created``, ``exceptions``, ``blocked`` and ``blocked_ms``, all from
``visualizer.analysis``.

Schema 2 (``loopscope.trace/2``) stores what changed, not copies:

- each event is a typed record (``visualizer.events``) with structured fields; its ``detail`` is
  written from those fields when the JSON is made, and ignored when it is read back;
- each step carries ``changes``: only the variables whose display string changed at that step
  (its first appearance included). ``variable_states`` and ``Trace.variables_at`` rebuild the
  full state of every variable at a step; a variable not yet seen is ``(not set)``.

Variables are keyed by bare local name for the root coroutine (``response``) and by
``frame.name`` for every other traced frame (``fetch_one#2.response``), where ``frame`` is the
function name and the how-many-th call of it this is. Watched expressions are keyed the same
way (``response.text``, ``fetch_one#2.response.text``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    field_serializer,
)

from visualizer.analysis import (
    ExceptionCount,
    RequestRecord,
    Stall,
    clients_created,
    exceptions,
    find_requests,
    find_stalls,
    max_in_flight,
    overlapping,
    tcp_connects,
)
from visualizer.display import NOT_SET
from visualizer.events import AnyEvent, Event, compact
from visualizer.wording import detail

SCHEMA = "loopscope.trace/2"
StopName = Literal["time", "steps", "output", "memory", "cpu", "processes", "trace_size"]


class Step(BaseModel):
    """One row of the execution table, with the variables that changed at it."""

    model_config = ConfigDict(frozen=True)

    step: int
    line: int | None
    task: str | None
    action: str
    evaluation: str
    result: str
    changes: dict[str, str] = Field(default_factory=dict)
    # The row's task is suspended at an await for this row (its wait): it waits, it does not run.
    waiting: bool = False
    # When the row began, in ms from the start of the run (the event that opened it).
    t_ms: float | None = None


def variable_names(steps: Iterable[Step]) -> tuple[str, ...]:
    """Every variable key, in the order it first appears."""
    names: dict[str, None] = {}
    for step in steps:
        names.update(dict.fromkeys(step.changes))
    return tuple(names)


def variable_states(steps: Iterable[Step]) -> Iterator[dict[str, str]]:
    """The full state after each step, rebuilt from the changes (one fresh dict per step)."""
    listed = tuple(steps)
    names = variable_names(listed)
    state = dict.fromkeys(names, NOT_SET)
    for step in listed:
        state.update(step.changes)
        yield dict(state)


class ErrorInfo(BaseModel):
    """The exception the traced call raised, at the traced file's deepest line."""

    model_config = ConfigDict(frozen=True)

    type: str
    message: str
    line: int | None


class Trace(BaseModel):
    """One recorded run: the contract JSON plus derived views."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)

    schema_version: str = Field(default=SCHEMA, alias="schema")
    file: str
    call: str
    watch: tuple[str, ...] = ()
    root: str | None = None
    steps: tuple[Step, ...]
    events: tuple[Event, ...]
    result: str | None
    error: ErrorInfo | None
    wall_ms: float
    stopped: StopName | None = None
    output: str = ""
    warnings: tuple[str, ...] = ()
    # The JSON this trace was read from, kept so it can be stored as it arrived.
    _json: bytes | None = PrivateAttr(default=None)

    @field_serializer("events", mode="wrap")
    def _with_detail(
        self, events: tuple[AnyEvent, ...], handler: SerializerFunctionWrapHandler
    ) -> list[dict[str, Any]]:
        dumped: list[dict[str, Any]] = handler(events)
        for data, event in zip(dumped, events, strict=True):
            compact(data)["detail"] = detail(event)
        return dumped

    @classmethod
    def from_json(cls, data: bytes | str) -> Trace:
        """Parse a trace and keep its JSON, so that storing it writes the same bytes."""
        trace = cls.model_validate_json(data)
        trace._json = data.encode() if isinstance(data, str) else bytes(data)
        return trace

    def json_bytes(self) -> bytes:
        """The trace's JSON: as it arrived from the worker when it did, else freshly made."""
        return self._json if self._json is not None else self.model_dump_json().encode()

    def variables_at(self, step: int) -> dict[str, str]:
        """Every variable's display string once row ``step`` (1-based) is told."""
        state = dict.fromkeys(variable_names(self.steps), NOT_SET)
        for row in self.steps[:step]:
            state.update(row.changes)
        return state

    @cached_property
    def variables(self) -> tuple[dict[str, str], ...]:
        """The full state at each step (quadratic in size: for tables, not for storage)."""
        return tuple(variable_states(self.steps))

    @cached_property
    def requests(self) -> tuple[RequestRecord, ...]:
        """Every HTTP request the traced code made, with its phases (start and end in ms)."""
        return find_requests(self.events)

    @property
    def tcp_connects(self) -> int:
        """How many TCP connections were opened (a reused pooled connection opens none)."""
        return tcp_connects(self.events)

    @property
    def clients_created(self) -> int:
        """How many httpx clients (async or sync) the traced code built."""
        return clients_created(self.events)

    @property
    def requests_overlap(self) -> bool:
        """Whether two requests were ever in flight at the same time."""
        return overlapping(self.requests)

    @property
    def max_in_flight(self) -> int:
        """The most requests in flight at one moment."""
        return max_in_flight(self.requests)

    @property
    def exceptions(self) -> tuple[ExceptionCount, ...]:
        """Exceptions raised in and caught by the traced code, counted by type."""
        return exceptions(self.events)

    @cached_property
    def blocked(self) -> tuple[Stall, ...]:
        """Every time a task held the loop without yielding, with the cause."""
        return find_stalls(self.events)

    @property
    def blocked_ms(self) -> float:
        """The total time the loop was held by blocking code."""
        return round(sum(stall.ms for stall in self.blocked), 3)
