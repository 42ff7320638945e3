"""loopscope's trace engine: run async HTTP code for real and record what happened.

    from visualizer import TraceRequest, run_trace

    trace = run_trace(TraceRequest(Path("demo.py"), 'fetch_data("https://api.example.com/data")'))
    for step in trace.steps:
        print(step.step, step.action, step.result)

The engine knows nothing of the web: it records and condenses traces; the app renders them.
"""

from __future__ import annotations

import importlib
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from visualizer.analysis import ExceptionCount, Phase, RequestRecord, Stall, TaskState
    from visualizer.contract import SCHEMA
    from visualizer.engine import TraceEngine
    from visualizer.errors import (
        BadCall,
        EngineBusy,
        FileNotFound,
        NotAwaitable,
        SandboxUnavailable,
        SourceSyntaxError,
        TraceError,
        TraceInputError,
        TraceLimitExceeded,
        WorkerFailed,
    )
    from visualizer.events import AnyEvent
    from visualizer.model import Event, Trace
    from visualizer.request import Limits, TraceRequest
    from visualizer.runner import run_trace
    from visualizer.sandbox import SandboxStatus, sandbox_status
    from visualizer.table import ErrorInfo, Step, variable_names, variable_states

# Each public name and the module that defines it: imported on first use (PEP 562), so a
# trace worker, which imports only what it runs, does not pay for the engine, the analyses
# or the models it never touches.
_WHERE = {
    "AnyEvent": "visualizer.events",
    "BadCall": "visualizer.errors",
    "EngineBusy": "visualizer.errors",
    "ErrorInfo": "visualizer.table",
    "Event": "visualizer.model",
    "ExceptionCount": "visualizer.analysis",
    "FileNotFound": "visualizer.errors",
    "Limits": "visualizer.request",
    "NotAwaitable": "visualizer.errors",
    "Phase": "visualizer.analysis",
    "RequestRecord": "visualizer.analysis",
    "run_trace": "visualizer.runner",
    "sandbox_status": "visualizer.sandbox",
    "SandboxStatus": "visualizer.sandbox",
    "SandboxUnavailable": "visualizer.errors",
    "SCHEMA": "visualizer.contract",
    "SourceSyntaxError": "visualizer.errors",
    "Stall": "visualizer.analysis",
    "Step": "visualizer.table",
    "TaskState": "visualizer.analysis",
    "Trace": "visualizer.model",
    "TraceEngine": "visualizer.engine",
    "TraceError": "visualizer.errors",
    "TraceInputError": "visualizer.errors",
    "TraceLimitExceeded": "visualizer.errors",
    "TraceRequest": "visualizer.request",
    "variable_names": "visualizer.table",
    "variable_states": "visualizer.table",
    "WorkerFailed": "visualizer.errors",
}


__all__ = [
    "SCHEMA",
    "AnyEvent",
    "BadCall",
    "EngineBusy",
    "ErrorInfo",
    "Event",
    "ExceptionCount",
    "FileNotFound",
    "Limits",
    "NotAwaitable",
    "Phase",
    "RequestRecord",
    "SandboxStatus",
    "SandboxUnavailable",
    "SourceSyntaxError",
    "Stall",
    "Step",
    "TaskState",
    "Trace",
    "TraceEngine",
    "TraceError",
    "TraceInputError",
    "TraceLimitExceeded",
    "TraceRequest",
    "WorkerFailed",
    "run_trace",
    "sandbox_status",
    "variable_names",
    "variable_states",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'visualizer' has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names and the submodules imported so far (not this file's own imports)."""
    modules = {name for name, value in globals().items() if isinstance(value, types.ModuleType)}
    return sorted({*__all__, *modules})
