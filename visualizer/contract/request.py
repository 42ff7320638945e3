"""What to trace and within which limits: the input side of the engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from visualizer.contract.caps import (
    HARD_MAX_EVENTS,
    HARD_MAX_REQUESTS,
    HARD_MAX_STEPS,
    MAX_EVENTS,
    MAX_REQUESTS,
    MAX_STEPS,
    check_limit,
)

Origin = Literal["lesson", "learner"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Soft limits the worker enforces on itself; past one the trace is returned partial.

    ``wall_s`` bounds the whole run (module import plus the awaited call), ``max_events`` the
    raw events recorded (the "event cap"), ``max_requests`` the requests the code may send,
    ``max_steps`` the rows of the execution table (the run goes on past it), ``max_output_bytes``
    what the code may print. The counted caps stay within ``visualizer.contract.caps``' hard limits.
    """

    wall_s: float = 10.0
    max_events: int = MAX_EVENTS
    max_output_bytes: int = 64_000
    max_requests: int = MAX_REQUESTS
    max_steps: int = MAX_STEPS

    def __post_init__(self) -> None:
        check_limit("the event cap", self.max_events, HARD_MAX_EVENTS)
        check_limit("the request cap", self.max_requests, HARD_MAX_REQUESTS)
        check_limit("the step cap", self.max_steps, HARD_MAX_STEPS)


@dataclass(frozen=True, slots=True)
class TraceRequest:
    """Run ``call`` (an expression giving an awaitable) in ``file``'s namespace.

    Example: ``TraceRequest(Path("demo.py"), 'fetch_data("https://api.example.com/data")',
    watch=("response.text",))``.

    ``origin`` says who wrote the file: ``"lesson"`` (a lesson example, run with validated knobs)
    or ``"learner"`` (free-form code). Where the sandbox is available every run goes through it;
    where it is not, only lesson runs go ahead and learner runs raise ``SandboxUnavailable``.
    """

    file: Path
    call: str
    watch: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)
    origin: Origin = "lesson"


# Where one traced run is, as the engine tells its ``on_progress`` and the app's pages show it.
RunState = Literal["queued", "running", "done", "failed"]
ProgressCallback = Callable[[TraceRequest, RunState], None]
