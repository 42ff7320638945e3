"""loopscope's trace engine: run async HTTP code for real and record what happened.

    from visualizer import TraceRequest, run_trace

    trace = run_trace(TraceRequest(Path("demo.py"), 'fetch_data("https://api.example.com/data")'))
    for step in trace.steps:
        print(step.step, step.action, step.result)

The engine knows nothing of the web: it records and condenses traces; the app renders them.
"""

from visualizer.analysis import Phase, RequestRecord, Stall
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
from visualizer.model import SCHEMA, ErrorInfo, Event, Step, Trace
from visualizer.request import Limits, TraceRequest
from visualizer.runner import run_trace
from visualizer.sandbox import SandboxStatus, sandbox_status

__all__ = [
    "SCHEMA",
    "BadCall",
    "EngineBusy",
    "ErrorInfo",
    "Event",
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
    "Trace",
    "TraceEngine",
    "TraceError",
    "TraceInputError",
    "TraceLimitExceeded",
    "TraceRequest",
    "WorkerFailed",
    "run_trace",
    "sandbox_status",
]
