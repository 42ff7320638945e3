from __future__ import annotations

import pytest
from tracesamples import SAMPLES, TraceOf

from visualizer import Limits, Trace, TraceRequest, run_trace


@pytest.fixture(scope="session")
def trace_of() -> TraceOf:
    """Trace ``call`` in ``samples/<sample>`` once per session (traces are deterministic in
    meaning, and each one costs a worker process)."""
    cache: dict[tuple[str, str, tuple[str, ...], Limits], Trace] = {}

    def trace(sample: str, call: str, *watch: str, limits: Limits | None = None) -> Trace:
        key = (sample, call, watch, limits or Limits())
        if key not in cache:
            cache[key] = run_trace(TraceRequest(SAMPLES / sample, call, watch=watch, limits=key[3]))
        return cache[key]

    return trace
