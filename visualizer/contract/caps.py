"""Where a run was cut, and why: the caps a trace can meet, counted, never timed.

Every cap counts something the program does, so the same program keeps the same prefix on a
busy machine and on a quiet one:

- ``max_requests``: the requests the code sent (``RequestSent``); the next one stops the run;
- ``max_events``: the raw events recorded (the "event cap");
- ``max_steps``: the rows of the execution table; the run goes on, the table says how many more;
- the trace size (``MAX_TRACE_BYTES`` in the worker): a last safety net, cut at a request.

A cut is one record, ``Cut``, in the trace's JSON (``cut``), and one sentence, ``Cut.text``,
that the command line, the JSON and the pages all print:

    >>> cut = Cut(cap="requests", limit=1000, requests=1000, of_requests=None, events=31950,
    ...           steps=2001, of_steps=None)
    >>> cut.text
    'stopped after 1,000 requests: the request cap (1,000, --max-requests)'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the command imports this module before its worker starts: keep it light
    from visualizer.contract.events import AnyEvent

CapName = Literal[
    "requests", "events", "steps", "trace_size", "time", "output", "memory", "cpu", "processes"
]

# The defaults, and how far the command line may raise them: past the hard limits the sandbox's
# reply (24 MB) and memory (1 GB) would cut the run in ways that are not counted.
MAX_EVENTS = 50_000
MAX_REQUESTS = 1_000
MAX_STEPS = 5_000
HARD_MAX_EVENTS = 100_000
HARD_MAX_REQUESTS = 2_000
HARD_MAX_STEPS = 10_000

_NAMES: dict[str, tuple[str, str]] = {
    "requests": ("the request cap", "--max-requests"),
    "events": ("the event cap", "--max-events"),
    "steps": ("the step cap", "--max-steps"),
    "trace_size": ("the trace size cap", ""),
    "time": ("the time limit", "--time-limit"),
    "output": ("the output limit", ""),
    "memory": ("the memory limit", ""),
    "cpu": ("the CPU time limit", ""),
    "processes": ("the process limit", ""),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Cut:
    """Where the trace stops short of the run, and at which cap.

    ``requests``, ``events`` and ``steps`` are what the trace keeps; ``of_requests`` and
    ``of_steps`` what the run made, where that is known (the run ended, only its trace or its
    table was cut).
    """

    cap: CapName
    limit: int | None
    requests: int
    of_requests: int | None
    events: int
    steps: int
    of_steps: int | None

    @property
    def text(self) -> str:
        name, flag = _NAMES[self.cap]
        bound = f"{self.limit:,}" if self.limit is not None else ""
        how = ", ".join(part for part in (bound, flag) if part)
        why = f"{name} ({how})" if how else name
        if self.cap == "steps":
            of = f" of {self.of_steps:,}" if self.of_steps is not None else ""
            return f"the table stops after {self.steps:,}{of} steps: {why}; the run itself ended"
        of = f" of {self.of_requests:,}" if self.of_requests is not None else ""
        if self.cap == "trace_size":
            return f"kept the first {self.requests:,}{of} requests ({self.events:,} events): {why}"
        return f"stopped after {self.requests:,}{of} requests: {why}"


def requests_in(events: Iterable[AnyEvent]) -> int:
    """The requests the code sent (``RequestSent`` events, whose kind is "request")."""
    return sum(1 for event in events if event.kind == "request")


def check_limit(name: str, value: int, hard: int) -> int:
    """``value`` if it is within 1..``hard``, else ``ValueError`` saying the bound."""
    if not 1 <= value <= hard:
        raise ValueError(f"{name} must be between 1 and {hard:,} (got {value:,})")
    return value
