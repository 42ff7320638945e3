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
    from visualizer.contract.errors import (
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
    from visualizer.contract.events import AnyEvent
    from visualizer.contract.request import Limits, TraceRequest
    from visualizer.contract.table import ErrorInfo, Step, variable_names, variable_states
    from visualizer.contract.wire import SCHEMA
    from visualizer.pool.engine import TraceEngine
    from visualizer.pool.runner import run_trace
    from visualizer.pool.sandbox import SandboxStatus, sandbox_status
    from visualizer.read.analysis import ExceptionCount, Phase, RequestRecord, Stall, TaskState
    from visualizer.read.model import Event, Trace

# Each public name and the module that defines it: imported on first use (PEP 562), so a
# trace worker, which imports only what it runs, does not pay for the engine, the analyses
# or the models it never touches.
_WHERE = {
    "AnyEvent": "visualizer.contract.events",
    "BadCall": "visualizer.contract.errors",
    "EngineBusy": "visualizer.contract.errors",
    "ErrorInfo": "visualizer.contract.table",
    "Event": "visualizer.read.model",
    "ExceptionCount": "visualizer.read.analysis",
    "FileNotFound": "visualizer.contract.errors",
    "Limits": "visualizer.contract.request",
    "NotAwaitable": "visualizer.contract.errors",
    "Phase": "visualizer.read.analysis",
    "RequestRecord": "visualizer.read.analysis",
    "run_trace": "visualizer.pool.runner",
    "sandbox_status": "visualizer.pool.sandbox",
    "SandboxStatus": "visualizer.pool.sandbox",
    "SandboxUnavailable": "visualizer.contract.errors",
    "SCHEMA": "visualizer.contract.wire",
    "SourceSyntaxError": "visualizer.contract.errors",
    "Stall": "visualizer.read.analysis",
    "Step": "visualizer.contract.table",
    "TaskState": "visualizer.read.analysis",
    "Trace": "visualizer.read.model",
    "TraceEngine": "visualizer.pool.engine",
    "TraceError": "visualizer.contract.errors",
    "TraceInputError": "visualizer.contract.errors",
    "TraceLimitExceeded": "visualizer.contract.errors",
    "TraceRequest": "visualizer.contract.request",
    "variable_names": "visualizer.contract.table",
    "variable_states": "visualizer.contract.table",
    "WorkerFailed": "visualizer.contract.errors",
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
