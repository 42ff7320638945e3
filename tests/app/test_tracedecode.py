"""A stored run read back in small pieces is the trace ``Trace.from_json`` reads, and nothing in
the decode hands pydantic, the JSON parser or the collector the whole trace at once."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError
from test_big_runs import big_trace
from trace_fakes import SAMPLES

from loopscope.runs import decode as tracedecode
from loopscope.runs.decode import decode_kept, decode_trace
from visualizer import Trace
from visualizer.contract.caps import Cut

CANONICAL = (SAMPLES / "canonical_trace.json").read_text()
CUT = Cut(cap="requests", limit=3, requests=3, of_requests=None, events=2, steps=3, of_steps=None)


def long_canonical(copies: int) -> str:
    """The recorded run's JSON with its steps and events said ``copies`` times over."""
    data = json.loads(CANONICAL)
    data["steps"] = [
        {**step, "step": n * len(data["steps"]) + step["step"]}
        for n in range(copies)
        for step in data["steps"]
    ]
    data["events"] = data["events"] * copies
    return json.dumps(data, indent=1)  # spaces and newlines between tokens too


@pytest.mark.parametrize(
    "text",
    [
        CANONICAL,
        long_canonical(40),
        big_trace(500, tasks=20).json_bytes().decode(),
        big_trace(3, cut=CUT).model_copy(update={"stopped": "requests"}).json_bytes().decode(),
    ],
    ids=["recorded", "recorded-long", "big", "cut"],
)
def test_the_decoded_trace_is_the_one_from_json_reads(text: str) -> None:
    expected = Trace.from_json(text)
    decoded = decode_trace(text)
    assert decoded == expected
    assert decoded.steps == expected.steps
    assert decoded.events == expected.events
    assert decoded.cut == expected.cut
    assert decoded.requests == expected.requests
    assert decoded.model_dump_json() == expected.model_dump_json()
    assert decoded.json_bytes() == text.encode()  # stored again as it arrived


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({**json.loads(CANONICAL), "steps": "no rows"}),  # not a list
        CANONICAL.replace('"kind": "http"', '"kind": "no such kind"', 1),
        json.dumps({**json.loads(CANONICAL), "schema": None, "file": None}),
        CANONICAL[: len(CANONICAL) // 2],  # cut short
        CANONICAL + " {}",
        "[]",
    ],
    ids=["steps-not-a-list", "unknown-kind", "missing-fields", "cut-short", "trailing", "array"],
)
def test_a_document_from_json_refuses_is_refused_the_same_way(text: str) -> None:
    with pytest.raises(ValidationError) as expected:
        Trace.from_json(text)
    with pytest.raises(ValidationError) as refused:
        decode_trace(text)
    assert refused.value.errors() == expected.value.errors()


def test_no_call_validates_or_parses_more_than_a_small_piece(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = long_canonical(60)  # 420 steps, 2,940 events
    validated: list[int] = []
    parsed: list[int] = []

    class Counting(TypeAdapter[Any]):
        def validate_python(self, items: Any, /, **kwargs: Any) -> Any:  # type: ignore[override]
            validated.append(len(items))
            return super().validate_python(items, **kwargs)

    class Measuring(json.JSONDecoder):
        def raw_decode(self, s: str, idx: int = 0) -> tuple[Any, int]:
            value, end = super().raw_decode(s, idx)
            parsed.append(end - idx)
            return value, end

    monkeypatch.setattr(tracedecode, "_STEPS", Counting(tracedecode._STEPS._type))
    monkeypatch.setattr(tracedecode, "_EVENTS", Counting(tracedecode._EVENTS._type))
    monkeypatch.setattr(tracedecode, "_DECODER", Measuring())
    assert decode_trace(text) == Trace.from_json(text)
    assert max(validated) <= 100  # a millisecond or so of pydantic-core, not the whole list
    assert sum(validated) == 420 + 2940
    assert max(parsed) < len(text) / 100


def test_the_collector_neither_runs_during_a_decode_nor_keeps_its_trace_in_its_generations() -> (
    None
):
    text = long_canonical(60)
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.unfreeze()
    gc.callbacks.append(seen)
    try:
        trace = decode_kept(text)
        assert gc.isenabled()
        assert collections == []  # thousands of objects made: unpaused, the collector runs
        assert gc.get_freeze_count() > 0
        assert not any(found is trace for found in gc.get_objects())
        assert trace == Trace.from_json(text)
    finally:
        gc.callbacks.remove(seen)
        gc.unfreeze()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    try:
        decode_kept(CANONICAL)
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_the_parsed_json_is_let_go_chunk_by_chunk_as_it_is_validated() -> None:
    """Freed all at once when the decode returned, 30,000 parsed events are one long call."""
    document = json.loads(long_canonical(20))
    events = document["events"]
    tables = {key: document[key] for key in ("tasks", "details") if key in document}
    validated = tracedecode._validated_events(events, tables)
    assert len(validated) == 20 * len(json.loads(CANONICAL)["events"])
    assert events == [None] * len(validated)
