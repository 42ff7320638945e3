"""The trace as the rest of the world sees it: the contract JSON, as frozen pydantic models.

``Trace.model_dump_json()`` is exactly what ``loopscope trace --json`` prints. Besides the
contract's keys, ``Trace`` offers derived views for the lessons checker and the timeline:
``tcp_connects``, ``requests``, ``requests_overlap``, ``blocked`` and ``blocked_ms``.

Variables are keyed by bare local name for the root coroutine (``response``) and by
``frame.name`` for every other traced frame (``fetch_one#2.response``), where ``frame`` is the
function name and the how-many-th call of it this is. Watched expressions are keyed the same
way (``response.text``, ``fetch_one#2.response.text``). Every step carries every key.
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from visualizer.analysis import (
    RequestRecord,
    Stall,
    find_requests,
    find_stalls,
    overlapping,
    tcp_connects,
)

SCHEMA = "loopscope.trace/1"


class Event(BaseModel):
    """One raw event, in time order."""

    model_config = ConfigDict(frozen=True)

    t_ms: float
    kind: str
    task: str | None
    line: int | None
    detail: str
    frame: str | None = None
    request: int | None = None
    ms: float | None = None
    values: dict[str, str] | None = None


class Step(BaseModel):
    """One row of the execution table, with the variable tracker's row for it."""

    model_config = ConfigDict(frozen=True)

    step: int
    line: int | None
    task: str | None
    action: str
    evaluation: str
    result: str
    variables: dict[str, str]
    # When the row began, in ms from the start of the run (the event that opened it).
    t_ms: float | None = None


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
    stopped: (
        Literal["time", "steps", "output", "memory", "cpu", "processes", "trace_size"] | None
    ) = None
    output: str = ""
    warnings: tuple[str, ...] = ()

    @cached_property
    def requests(self) -> tuple[RequestRecord, ...]:
        """Every HTTP request the traced code made, with its phases (start and end in ms)."""
        return find_requests(self.events)

    @property
    def tcp_connects(self) -> int:
        """How many TCP connections were opened (a reused pooled connection opens none)."""
        return tcp_connects(self.events)

    @property
    def requests_overlap(self) -> bool:
        """Whether two requests were ever in flight at the same time."""
        return overlapping(self.requests)

    @cached_property
    def blocked(self) -> tuple[Stall, ...]:
        """Every time a task held the loop for over 50 ms without yielding."""
        return find_stalls(self.events)

    @property
    def blocked_ms(self) -> float:
        """The total time the loop was held by blocking code."""
        return round(sum(stall.ms for stall in self.blocked), 3)
