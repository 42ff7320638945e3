"""A check's driver call (``__import__("visualizer.appdriver")...``) never names a task or a step:
the learner reads ``with_client(fetch_part, URL)``, the part they could have written."""

import json

import pytest
from tracesamples import SAMPLES, TraceOf

from visualizer.appdriver import DRIVER_PREFIX, shown_call

pytestmark = pytest.mark.slow


def test_shown_call_drops_only_the_driver_prefix() -> None:
    assert shown_call(f"{DRIVER_PREFIX}serve(app) ") == "serve(app)"
    assert shown_call('main("__import__")') == 'main("__import__")'


def test_a_driven_run_names_its_task_and_first_step_without_the_driver(trace_of: TraceOf) -> None:
    assert (SAMPLES / "gather.py").exists()
    call = f'{DRIVER_PREFIX}with_client(fetch_one, "https://api.example.com/data")'
    trace = trace_of("gather.py", call)
    assert trace.error is None, trace.error
    assert trace.steps
    told = json.dumps([(s.task, s.action, s.evaluation, s.result) for s in trace.steps])
    assert "__import__" not in told
    assert "appdriver" not in told
    assert any(
        step.task == 'with_client(fetch_one, "https://api.example.com/data")'
        for step in trace.steps
    )
