"""The trace as the rest of the world sees it: the contract JSON, as frozen pydantic models.

``Trace.model_dump_json()`` is exactly what ``loopscope trace --json`` prints. Besides the
contract's keys, ``Trace`` offers derived views for the lessons checker, the challenges and the
timeline: ``requests``, ``requests_overlap``, ``max_in_flight``, ``tcp_connects``,
``clients_created``, ``exceptions``, ``blocked`` and ``blocked_ms``, all from
``visualizer.read.analysis``.

Schema 5 (``loopscope.trace/5``) writes each repeated string once: every row's ``task``
(steps, events, requests) is an index into the top-level ``tasks`` (the task names in order of
first use), and an event's ``detail`` that more than one event says is an index into
``details``; reading puts the strings back (``visualizer.contract.wire.uninterned``).

Schema 4 (``loopscope.trace/4``) adds to schema 3 the ``requests`` list (one record per request:
its outcome, whether it got on the wire, its pool wait), each step's ``waiting_on`` and
``seen_changed``, and the pool wait as an http phase. Schema 3 stores each fact once:

- each event is a typed record (``visualizer.contract.events``) with structured fields; its
``detail`` is
  written from those fields when the JSON is made. A field the detail says word for word is
  not written beside it (an await's text, an awaited or returned value, an http event's
  httpcore name and host), and reading puts it back (``visualizer.contract.events.expand``); schema
  2's JSON, which repeated them, reads the same;
- an http phase that ends with nothing recorded since it started is one event (its end, with
  ``ms``);
- each step carries ``changes``: only the variables whose display string changed at that step
  (its first appearance included). ``variable_states`` and ``Trace.variables_at`` rebuild the
  full state of every variable at a step; a variable not yet seen is ``(not set)``.

Variables are keyed by bare local name for the root coroutine (``response``) and by
``frame.name`` for every other traced frame (``fetch_one#2.response``), where ``frame`` is the
function name and the how-many-th call of it this is. Watched expressions are keyed the same
way (``response.text``, ``fetch_one#2.response.text``).
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    computed_field,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)

from visualizer.contract.caps import Cut
from visualizer.contract.event_words import detail
from visualizer.contract.events import (
    NOT_SET,
    AnyEvent,
    ClientCreated,
    TransportBuilt,
    compact,
    expand,
)
from visualizer.contract.table import ErrorInfo, Step, variable_names, variable_states
from visualizer.contract.wire import (
    REQUEST_DEFAULTS,
    SCHEMA,
    STEP_DEFAULTS,
    interned,
    uninterned,
    without_defaults,
)
from visualizer.read.analysis import (
    ExceptionCount,
    RequestEntry,
    RequestRecord,
    Stall,
    clients_created,
    exceptions,
    find_requests,
    find_stalls,
    max_in_flight,
    overlapping,
    request_entries,
    tcp_connects,
)

# What the contract JSON's ``events`` holds: pydantic picks the class by ``kind``.
Event = Annotated[AnyEvent, Field(discriminator="kind")]
StopName = Literal[
    "time", "steps", "output", "memory", "cpu", "processes", "trace_size", "requests"
]


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
    # Where a cap cut the trace or its table (``visualizer.contract.caps``), or null.
    cut: Cut | None = None
    # The JSON this trace was read from, kept so it can be stored as it arrived.
    _json: bytes | None = PrivateAttr(default=None)

    @field_serializer("events", mode="wrap")
    def _with_detail(
        self, events: tuple[AnyEvent, ...], handler: SerializerFunctionWrapHandler
    ) -> list[dict[str, Any]]:
        dumped: list[dict[str, Any]] = handler(events)
        for data, event in zip(dumped, events, strict=True):
            compact(data, detail(event))
        return dumped

    @field_serializer("steps", mode="wrap")
    def _steps_compact(
        self, steps: tuple[Step, ...], handler: SerializerFunctionWrapHandler
    ) -> list[dict[str, Any]]:
        dumped: list[dict[str, Any]] = handler(steps)
        return [without_defaults(data, STEP_DEFAULTS) for data in dumped]

    @field_serializer("request_entries", mode="wrap")
    def _requests_compact(
        self, entries: tuple[RequestEntry, ...], handler: SerializerFunctionWrapHandler
    ) -> list[dict[str, Any]]:
        dumped: list[dict[str, Any]] = handler(entries)
        return [without_defaults(data, REQUEST_DEFAULTS) for data in dumped]

    @model_serializer(mode="wrap")
    def _interned(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Each task name and each repeated detail written once (``contract.interned``)."""
        data: dict[str, Any] = handler(self)
        return interned(data)

    @model_validator(mode="before")
    @classmethod
    def _uninterned(cls, data: Any) -> Any:
        """Put back the task names and details the JSON wrote once (``contract.uninterned``)."""
        return uninterned(data)

    @field_validator("events", mode="before")
    @classmethod
    def _from_detail(cls, events: Any) -> Any:
        """Put back the fields the JSON left to each event's detail (``events.expand``)."""
        if isinstance(events, list | tuple):
            return [expand(event) if isinstance(event, dict) else event for event in events]
        return events

    @classmethod
    def from_json(cls, data: bytes | str) -> Trace:
        """Parse a trace and keep its JSON, so that storing it writes the same bytes."""
        trace = cls.model_validate_json(data)
        trace._json = data.encode() if isinstance(data, str) else bytes(data)
        return trace

    def json_bytes(self) -> bytes:
        """The trace's compact JSON, as the worker sends it and the app stores it (each task
        name and repeated detail written once, in ``tasks`` and ``details``): as it arrived from
        the worker when it did, else freshly made."""
        return self._json if self._json is not None else self.model_dump_json().encode()

    def contract_json(self) -> bytes:
        """The trace's JSON as the trace contract spells it, what ``loopscope trace --json``
        prints and a run's download serves: every row's ``task`` a name and every event's
        ``detail`` its text, with no lookup tables. ``Trace.from_json`` reads both forms."""
        data = uninterned(json.loads(self.json_bytes()))
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8", "replace"
        )

    def variables_at(self, step: int) -> dict[str, str]:
        """Every variable's display string once row ``step`` (1-based) is told."""
        state = dict.fromkeys(variable_names(self.steps), NOT_SET)
        for row in self.steps[:step]:
            state.update(row.seen_changed)
            state.update(row.changes)
        return state

    @cached_property
    def variables(self) -> tuple[dict[str, str], ...]:
        """The full state at each step (quadratic in size: for tables, not for storage)."""
        return tuple(variable_states(self.steps))

    @computed_field(alias="requests")  # type: ignore[prop-decorator]
    @cached_property
    def request_entries(self) -> tuple[RequestEntry, ...]:
        """The JSON's ``requests``: one record per request, made from the events (so reading
        a trace ignores the key and makes them again)."""
        return request_entries(self.events)

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
    def building_ms(self) -> float:
        """CPU the loop's thread spent building httpx clients and transports (their TLS
        contexts): it held the loop, in pieces too short to count as a stall."""
        return round(
            sum(
                event.cpu_ms
                for event in self.events
                if isinstance(event, ClientCreated | TransportBuilt) and event.thread is None
            ),
            3,
        )

    @property
    def blocked_ms(self) -> float:
        """The total time the loop was held by blocking code."""
        return round(sum(stall.ms for stall in self.blocked), 3)
