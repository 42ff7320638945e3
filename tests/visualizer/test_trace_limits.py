"""Bad input and runaway code: one clear error or a partial trace, and the next run works."""

from pathlib import Path

import pytest
from tracesamples import SAMPLES, TraceOf

from visualizer import (
    BadCall,
    FileNotFound,
    Limits,
    NotAwaitable,
    SourceSyntaxError,
    TraceRequest,
    run_trace,
)

pytestmark = pytest.mark.slow
FAST = Limits(wall_s=1.0, max_events=2_000, max_output_bytes=10_000)


def test_missing_file() -> None:
    with pytest.raises(FileNotFound, match="no such file"):
        run_trace(TraceRequest(SAMPLES / "nope.py", "main()"))


def test_syntax_error_names_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import httpx\n\nasync def broken(:\n    pass\n")
    with pytest.raises(SourceSyntaxError) as caught:
        run_trace(TraceRequest(broken, "broken()"))
    assert caught.value.line == 3
    assert "line 3" in str(caught.value)


def test_bad_expressions() -> None:
    with pytest.raises(BadCall, match="not a Python expression"):
        run_trace(TraceRequest(SAMPLES / "bad_input.py", "boom("))
    with pytest.raises(BadCall, match="not defined"):
        run_trace(TraceRequest(SAMPLES / "bad_input.py", "nothing()"))


def test_not_awaitable() -> None:
    with pytest.raises(NotAwaitable, match="int 3"):
        run_trace(TraceRequest(SAMPLES / "bad_input.py", "not_async()"))


def test_code_that_raises_is_a_trace(trace_of: TraceOf) -> None:
    trace = trace_of("bad_input.py", "boom()")
    assert trace.error is not None
    assert (trace.error.type, trace.error.line) == ("KeyError", 24)
    assert trace.variables[-1]["values"] == "{'a': 1}"


def test_never_ending_await_stops_at_the_time_limit(trace_of: TraceOf) -> None:
    trace = trace_of("bad_input.py", "forever()", limits=FAST)
    assert trace.stopped == "time"
    assert trace.steps[-1].action == "The run is stopped"
    assert trace.steps[-1].line == 9


def test_loop_without_await_stops_at_the_event_limit(trace_of: TraceOf) -> None:
    trace = trace_of("bad_input.py", "spin()", limits=FAST)
    assert trace.stopped in ("steps", "time")
    assert trace.steps[-1].line == 14 or trace.steps[-1].action.startswith("…")


def test_megabytes_of_output_stop_at_the_output_limit(trace_of: TraceOf) -> None:
    trace = trace_of("bad_input.py", "chatter()", limits=FAST)
    assert trace.stopped == "output"
    assert len(trace.output.encode()) <= FAST.max_output_bytes


def test_blocking_forever_is_stopped_too(trace_of: TraceOf) -> None:
    trace = trace_of("stuck.py", "stuck()", limits=FAST)
    assert trace.stopped == "time"


def test_the_next_trace_still_works(trace_of: TraceOf) -> None:
    trace_of("bad_input.py", "chatter()", limits=FAST)
    trace = trace_of("clients.py", 'get("https://api.example.com/data")')
    assert trace.result == "200"
