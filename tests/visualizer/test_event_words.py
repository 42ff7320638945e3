"""The contract's ``detail`` sentences, made from typed fields."""

import json

from synthetic import READABLE, canonical

from visualizer.contract.event_words import TIMER, counted, detail, tally
from visualizer.contract.events import Blocked, IoWait, Suspended, Wake
from visualizer.contract.table import Step
from visualizer.read.model import Trace


def test_wake_reasons() -> None:
    assert detail(IoWait(t_ms=1.0, ms=2.0)) == f"woken by {TIMER}"
    assert detail(IoWait(t_ms=1.0, ms=2.0, woken=(READABLE,))) == (
        "woken by api.example.com:443 readable"
    )
    thread = Wake(reason="thread")
    assert tally([Wake(reason="timer")] * 2 + [thread]) == (
        f"{TIMER} (x2)",
        "a wake-up from another thread",
    )
    assert counted([Wake(reason="timer")] * 2) == f"{TIMER} (x2)"


def test_suspension_and_stall_sentences() -> None:
    waits = Suspended(t_ms=1.0, task="t", line=3, on="gather", subject="3")
    assert detail(waits) == "waits for gather of 3"
    stall = Blocked(t_ms=1.0, task="t", line=3, ms=201.0, cpu_ms=0.2, cause="sleep")
    assert detail(stall) == (
        "ran 201 ms without yielding to the event loop: time.sleep() blocks the whole thread"
    )


def test_the_json_carries_detail_and_reading_it_back_ignores_it() -> None:
    events = tuple(canonical())
    trace = Trace(
        file="f.py", call="f()", steps=(Step(step=1, line=None, task=None, action="a",
        evaluation="", result=""),), events=events, result=None, error=None, wall_ms=1.0,
    )  # fmt: skip
    data = json.loads(trace.model_dump_json())
    assert all({"t_ms", "kind", "task", "line", "detail"} <= set(e) for e in data["events"])
    io = next(e for e in data["events"] if e["kind"] == "io_wait")
    said = io["detail"]  # schema 5: a detail that repeats is its index in ``details``
    assert (data["details"][said] if type(said) is int else said) == f"woken by {TIMER}"
    again = Trace.model_validate_json(trace.model_dump_json())
    assert again.events == events


def test_events_have_no_text_to_read_back() -> None:
    """``detail`` exists only in the JSON: a reader can only use the typed fields."""
    assert all(not hasattr(event, "detail") for event in canonical())
