"""STAND-IN until branch i8s lands: the sandbox interface of INTERFACES.md item 1, fail-closed.

i8s replaces this module with the real bubblewrap sandbox. Until then no sandbox exists, so
``sandbox_status`` always says so and free-form learner code never runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class SandboxStatus:
    available: bool
    reason: str = ""


@cache
def sandbox_status(bwrap: str = "bwrap") -> SandboxStatus:
    return SandboxStatus(False, "the bubblewrap sandbox is not part of this build yet")
