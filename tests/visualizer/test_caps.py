"""Caps are counts: the same program keeps the same prefix, and every cut says where it cut."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from rich.console import Console
from synthetic import CALL, SOURCE

from visualizer import Limits
from visualizer.contract.caps import HARD_MAX_EVENTS, Cut
from visualizer.contract.events import LineRan, RequestSent
from visualizer.contract.table import Step
from visualizer.read.model import Trace
from visualizer.tools.terminal import HEAD_ROWS, TAIL_ROWS, render
from visualizer.worker.assemble import cut_of
from visualizer.worker.capture import captured
from visualizer.worker.recorder import Recorder
from visualizer.worker.session import RawRun

WORKLOAD = """\
import asyncio

import httpx


async def fetch(client):
    response = await client.get("https://api.example.com/json")
    return response.status_code


async def main(rounds):
    async with httpx.AsyncClient() as client:
        for _ in range(rounds):
            await asyncio.gather(*(fetch(client) for _ in range(5)))
"""


def sent(number: int) -> RequestSent:
    return RequestSent(t_ms=float(number), task="t", line=7, request=number, url="https://x/")


def raw(records: list[object], *, stopped: str | None, limits: Limits) -> RawRun:
    return RawRun(
        file="f.py",
        call=CALL,
        watch=(),
        source=SOURCE,
        records=records,  # type: ignore[arg-type]
        root=None,
        result=None,
        error=None,
        wall_ms=1.0,
        stopped=stopped,  # type: ignore[arg-type]
        output="",
        warnings=[],
        limits=limits,
    )


def test_the_request_cap_stops_at_the_next_request_whatever_else_happened() -> None:
    recorder = Recorder(max_events=1_000, max_output_bytes=100, max_requests=3)
    for number in range(1, 6):
        recorder.emit(LineRan(t_ms=float(number), task="t", line=7, frame="f"))
        recorder.emit(sent(number))
    kept = [e for e in recorder.records if isinstance(e, RequestSent)]
    assert [e.request for e in kept] == [1, 2, 3]
    assert recorder.stopped == "requests"


def test_the_event_cap_still_counts_events() -> None:
    recorder = Recorder(max_events=4, max_output_bytes=100, max_requests=100)
    for number in range(1, 10):
        recorder.emit(LineRan(t_ms=float(number), task="t", line=7, frame="f"))
    assert recorder.stopped == "steps"
    assert len(recorder.records) == 5


def test_a_cut_names_the_cap_the_count_and_the_flag() -> None:
    limits = Limits(max_requests=3, max_events=1_000)
    records = [sent(1), sent(2), sent(3)]
    cut = cut_of(raw(records, stopped="requests", limits=limits), steps=12)
    assert cut is not None
    assert (cut.cap, cut.limit, cut.requests, cut.events) == ("requests", 3, 3, 3)
    assert cut.text == "stopped after 3 requests: the request cap (3, --max-requests)"
    events = cut_of(raw(records, stopped="steps", limits=limits), steps=12)
    assert events is not None
    assert events.text == ("stopped after 3 requests: the event cap (1,000, --max-events)")
    assert cut_of(raw(records, stopped=None, limits=limits), steps=12) is None


def test_a_table_cut_says_the_run_itself_ended() -> None:
    limits = Limits(max_steps=10)
    cut = cut_of(raw([sent(1)], stopped=None, limits=limits), steps=11)  # 10 and "more"
    assert cut is not None
    assert cut.cap == "steps"
    assert cut.steps == 10
    assert cut.text.startswith("the table stops after 10 steps: the step cap (10, --max-steps)")


def test_a_trace_size_cut_says_how_many_of_the_requests_were_kept() -> None:
    cut = Cut(
        cap="trace_size",
        limit=None,
        requests=500,
        of_requests=2_000,
        events=12_000,
        steps=900,
        of_steps=None,
    )
    assert cut.text == "kept the first 500 of 2,000 requests (12,000 events): the trace size cap"


def test_limits_stay_within_the_hard_limits() -> None:
    with pytest.raises(ValueError, match="the event cap must be between 1 and 100,000"):
        Limits(max_events=HARD_MAX_EVENTS + 1)
    with pytest.raises(ValueError, match="the step cap"):
        Limits(max_steps=0)


def test_warnings_after_a_stop_are_not_the_learners() -> None:
    recorder = Recorder(max_events=1_000, max_output_bytes=100)
    with captured(recorder, "f.py"):
        warnings.warn("before", RuntimeWarning, stacklevel=1)
        recorder.stop("requests")
        warnings.warn(
            "coroutine '_patch_close.<locals>.aexit' was never awaited",
            RuntimeWarning,
            stacklevel=2,
        )
    assert recorder.warnings == ["RuntimeWarning: before"]


def _long_trace(rows: int) -> Trace:
    steps = tuple(
        Step(
            step=n,
            line=1,
            task="t",
            action=f"action {n}",
            evaluation="",
            result="",
            changes={f"v{n}": f"value {n}"},
        )
        for n in range(1, rows + 1)
    )
    return Trace(
        file="f.py", call=CALL, steps=steps, events=(), result=None, error=None, wall_ms=1.0
    )


def test_the_table_lists_each_rows_changes_and_folds_a_long_table() -> None:
    out = io.StringIO()
    render(_long_trace(500), Console(file=out, width=600))
    text = out.getvalue()
    assert "v3 = value 3" in text
    assert f"action {HEAD_ROWS}" in text
    assert f"action {HEAD_ROWS + 1} " not in text
    assert f"{500 - HEAD_ROWS - TAIL_ROWS:,} steps folded (--full prints every step)" in text
    assert "action 500" in text
    full = io.StringIO()
    render(_long_trace(500), Console(file=full, width=200), full=True)
    assert "action 250" in full.getvalue()
    assert "folded" not in full.getvalue()


def test_the_table_costs_no_more_than_its_rows() -> None:
    # The old tracker printed every variable at every row: 400 rows of 400 variables.
    out = io.StringIO()
    render(_long_trace(400), Console(file=out, width=200), full=True)
    assert len(out.getvalue()) < 400 * 2_000


def trace_command(file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from loopscope.cli import main; main()",
            "trace",
            str(file),
            *list(args),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.slow
def test_the_command_stops_at_the_request_cap_the_same_way_twice(tmp_path: Path) -> None:
    file = tmp_path / "many.py"
    file.write_text(WORKLOAD)
    kept: list[int] = []
    for _ in range(2):
        done = trace_command(file, "--call", "main(20)", "--json", "--max-requests", "12")
        assert done.returncode == 3, done.stderr
        assert done.stderr.strip() == (
            "loopscope trace: stopped after 12 requests: the request cap (12, --max-requests)"
        )
        data = json.loads(done.stdout)
        assert data["stopped"] == "requests"
        assert data["cut"]["requests"] == 12
        assert "never awaited" not in " ".join(data["warnings"])
        kept.append(sum(1 for e in data["events"] if e["kind"] == "request"))
    assert kept == [12, 12]


@pytest.mark.slow
def test_the_command_refuses_a_cap_past_the_hard_limit(tmp_path: Path) -> None:
    file = tmp_path / "many.py"
    file.write_text(WORKLOAD)
    done = trace_command(file, "--call", "main(1)", "--max-events", "1000000")
    assert done.returncode == 2
    assert "the event cap must be between 1 and 100,000" in done.stderr
