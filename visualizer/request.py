"""What to trace and within which limits: the input side of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Origin = Literal["lesson", "learner"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Soft limits the worker enforces on itself; past one the trace is returned partial.

    ``wall_s`` bounds the whole run (module import plus the awaited call), ``max_events`` the
    raw events recorded (the "step limit"), ``max_output_bytes`` what the code may print.
    """

    wall_s: float = 10.0
    max_events: int = 50_000
    max_output_bytes: int = 64_000


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
