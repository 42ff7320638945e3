"""A big run's player costs what a small one's does: rows, variables, tasks and words are shown
around the current step, with the way to the others; caches keep nothing they cannot fit."""

from __future__ import annotations

import gc
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pytest
from cachetools import LRUCache
from jinja2_fragments import render_block
from trace_fakes import FakeEngine, canonical_trace

from lessons import load_catalog
from loopscope.records import RecordedRun
from loopscope.runs.service import TraceService
from loopscope.settings import Settings
from loopscope.storage import Store
from loopscope.views.timeline import near, timeline_view
from loopscope.views.visual import (
    LOOP_TASKS,
    ROWS_BEFORE,
    ROWS_SHOWN,
    TIMELINE_LANES,
    TRACKER_COLUMNS,
    VARIABLES_MIN,
    VARIABLES_NOW,
    fold_text,
    player_view,
    row_window,
    transcript,
)
from loopscope.web.templating import LARGEST_SHARE, fragment_cache, keep
from visualizer import Step, Trace
from visualizer.contract.caps import Cut
from visualizer.contract.events import AnyEvent, TaskDone, TaskStarted

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SOURCE = "async def fetch(n):\n    value = n\n    return value\n"


def big_trace(rows: int, *, tasks: int = 1, cut: Cut | None = None) -> Trace:
    """``rows`` rows, row n sets ``v{n % 50}`` (so 50 variables) and ``n`` is never unset;
    ``tasks`` tasks, task k alive from 10 k to 10 k + 15 ms."""
    steps = tuple(
        Step(
            step=n,
            line=2,
            task=f"fetch#{n % max(tasks, 1)}",
            action=f"row {n}",
            evaluation="`value = n`",
            result="",
            changes={f"v{n % 50}": str(n)},
            t_ms=float(n),
        )
        for n in range(1, rows + 1)
    )
    events: list[AnyEvent] = []
    for k in range(tasks):
        events.append(TaskStarted(t_ms=10.0 * k, task=f"fetch#{k}", coroutine="fetch"))
        events.append(TaskDone(t_ms=10.0 * k + 15, task=f"fetch#{k}", outcome="returned"))
    events.sort(key=lambda e: e.t_ms)
    return canonical_trace().model_copy(
        update={"steps": steps, "events": tuple(events), "cut": cut, "wall_ms": rows + 1.0}
    )


def run_of(trace: Trace) -> RecordedRun:
    return RecordedRun("r1", "lesson", "example", "fetch(1)", (), trace, datetime.now(UTC))


def render_player(trace: Trace, step: int) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=[],
    )
    env.globals["static_url"] = lambda path: f"/static/{path}"
    view = player_view(run_of(trace), step=step, source=SOURCE, title="t")
    return render_block(env, "lessons/visual.html", "player", player=view, steps_url="/run")


def test_the_table_holds_the_rows_around_the_current_step() -> None:
    view = player_view(run_of(big_trace(1_000)), step=500, source=SOURCE, title="t")
    numbers = [row.number for row in view.steps]
    assert numbers == list(range(500 - ROWS_BEFORE, 500 - ROWS_BEFORE + ROWS_SHOWN))
    assert [row.number for row in view.steps if row.current] == [500]
    assert view.current.number == 500
    assert view.total == 1_000
    assert view.rows is not None
    assert view.rows.earlier is not None
    assert view.rows.later is not None
    # The links move the window by a whole window, and land where the next one begins or ends.
    after = row_window(1_000, view.rows.later)
    before = row_window(1_000, view.rows.earlier)
    assert after.first == view.rows.last + 1
    assert before.last == view.rows.first - 1


def test_the_first_and_last_steps_keep_a_full_window() -> None:
    assert row_window(1_000, 1) == row_window(1_000, 3)
    assert (row_window(1_000, 1).first, row_window(1_000, 1).last) == (1, ROWS_SHOWN)
    end = row_window(1_000, 1_000)
    assert (end.first, end.last, end.later) == (1_000 - ROWS_SHOWN + 1, 1_000, None)
    small = row_window(7, 4)
    assert (small.first, small.last, small.partial) == (1, 7, False)


def test_a_page_costs_the_same_at_any_length() -> None:
    small, huge = render_player(big_trace(100), 50), render_player(big_trace(5_000), 2_500)
    assert len(huge) < 1.2 * len(small)
    assert 'id="step-2500"' in huge
    assert 'id="step-1"' not in huge
    assert "Later steps" in huge
    assert "Earlier steps" in huge


def test_variables_now_lists_the_most_recently_set_and_counts_the_rest() -> None:
    view = player_view(run_of(big_trace(1_000)), step=500, source=SOURCE, title="t")
    names = [var.name for var in view.variables.current]
    assert len(names) == VARIABLES_NOW
    # Rows 493..500 set v43..v49 and v0 (row 500): the eight most recent.
    assert set(names) == {f"v{n % 50}" for n in range(501 - VARIABLES_NOW, 501)}
    assert [var.name for var in view.variables.current if var.changed] == ["v0"]
    assert view.variables.hidden_now == 50 - VARIABLES_NOW
    assert {v.name: v.value for v in view.variables.current}["v49"] == "499"


def test_the_tracker_shows_the_variables_set_in_its_rows() -> None:
    view = player_view(run_of(big_trace(1_000)), step=500, source=SOURCE, title="t")
    names = view.variables.names
    assert len(names) == TRACKER_COLUMNS
    # The first ten rows of the window (490..499) set v40..v49.
    assert set(names) == {f"v{n}" for n in range(40, 50)}
    assert view.variables.hidden_columns == 50 - TRACKER_COLUMNS
    row = next(r for r in view.variables.rows if r.step == 495)
    cells = dict(zip(names, row.cells, strict=True))
    assert cells["v45"].value == "495"
    assert cells["v45"].changed
    assert cells["v44"].value == "494"
    assert not cells["v44"].changed
    assert cells["v46"].value == "446"  # set 50 rows earlier, before the window began


def test_a_small_run_shows_every_variable_as_before() -> None:
    trace = canonical_trace()
    view = player_view(run_of(trace), step=len(trace.steps), source=SOURCE, title="t")
    assert view.variables.hidden_now == view.variables.hidden_columns == 0
    assert [row.step for row in view.variables.rows] == [s.step for s in trace.steps]
    assert not view.windowed


def test_the_timeline_keeps_the_tasks_at_work_near_the_step() -> None:
    trace = big_trace(300, tasks=300)
    whole = timeline_view(trace)
    shown = near(whole, 1_500.0, lanes=TIMELINE_LANES, segments=60)
    names = [lane.name for lane in shown.lanes if lane.kind == "task"]
    assert len(names) == TIMELINE_LANES
    assert {"fetch#149", "fetch#150"} <= set(names)  # alive at 1,500 ms (1,490-1,505, 1,500-)
    assert shown.tasks == 300
    assert shown.hidden_tasks == 300 - TIMELINE_LANES
    assert shown.summary.startswith("300 tasks")
    assert near(timeline_view(canonical_trace()), 5.0, lanes=12, segments=60).hidden_tasks == 0


def test_the_transcript_tells_the_window_and_says_where_the_rest_is() -> None:
    trace = big_trace(1_000)
    told = [str(s) for s in transcript(trace, row_window(1_000, 500))]
    assert told[0] == "Steps 1 to 489 are told in the execution table."
    assert told[1].startswith("Step 490 ")
    assert any(s == "Steps 520 to 1,000 are told in the execution table." for s in told)
    assert len(told) < ROWS_SHOWN + 6
    assert len(transcript(trace)) < ROWS_SHOWN + 6  # by default, the first window


def test_the_page_says_where_a_cap_cut_the_run() -> None:
    cut = Cut(
        cap="requests",
        limit=1_000,
        requests=1_000,
        of_requests=None,
        events=31_950,
        steps=4_400,
        of_steps=None,
    )
    trace = big_trace(100, cut=cut).model_copy(update={"stopped": "requests"})
    html = render_player(trace, 1)
    assert "stopped after 1,000 requests: the request cap (1,000, --max-requests)" in html
    table_cut = Cut(
        cap="steps", limit=50, requests=3, of_requests=None, events=9, steps=50, of_steps=None
    )
    html = render_player(big_trace(51, cut=table_cut), 1)
    assert "<strong>Cut</strong> the table stops after 50 steps" in html


def test_a_cache_keeps_nothing_larger_than_its_share() -> None:
    cache: LRUCache[str, str] = fragment_cache(max_bytes=80_000)
    small = "x" * 1_000
    assert keep(cache, "small", small)
    assert cache["small"] == small
    large = "y" * (80_000 // LARGEST_SHARE)
    assert not keep(cache, "large", large)
    assert "large" not in cache
    assert "small" in cache


def test_the_loop_panel_lists_a_few_tasks_and_counts_the_others() -> None:
    view = player_view(run_of(big_trace(300, tasks=300)), step=300, source=SOURCE, title="t")
    listed = view.loop.tasks
    assert len(listed) == LOOP_TASKS
    counted = re.fullmatch(r"and (\d+) more tasks: (.*)", view.loop.more)
    assert counted is not None
    by_state = dict(part.split(" ")[::-1] for part in counted.group(2).split(", "))
    assert sum(int(n) for n in by_state.values()) == int(counted.group(1))
    assert int(counted.group(1)) + len(listed) == 300
    order = ["running", "waiting", "ready", "done"]
    states = [task.state for task in listed]
    assert states == sorted(states, key=order.index)  # what is at work comes first


def test_a_step_told_at_length_lists_fewer_variables_beside_it() -> None:
    """The right column holds the step's text and "Variables now" on one 1280x800 screen: the
    room for variables shrinks as the text grows (a real run: test_big_run_walk.py)."""
    trace = big_trace(1_000)
    url = "`client.get('https://api.example.com/json')`"
    told = f"Await {url}; {url} sends GET https://api.example.com/json (sending the request)"
    steps = list(trace.steps)
    steps[499] = replace(steps[499], action=told, evaluation=told, result=told)
    long = trace.model_copy(update={"steps": tuple(steps)})
    short = player_view(run_of(trace), step=500, source=SOURCE, title="t")
    at_length = player_view(run_of(long), step=500, source=SOURCE, title="t")
    assert len(short.variables.current) == VARIABLES_NOW
    assert VARIABLES_MIN <= len(at_length.variables.current) < VARIABLES_NOW - 2
    assert at_length.variables.hidden_now == 50 - len(at_length.variables.current)
    changed = [var.name for var in at_length.variables.current if var.changed]
    assert changed == ["v0"]  # the most recent are kept: this step's own change first


def test_long_step_text_folds_between_whole_pieces_of_code() -> None:
    short = fold_text("Result", "returns `10`")
    assert short.rest is None
    text = "the task runs " + "the request `client.get(url)` then " * 6 + "ends"
    folded = fold_text("Evaluation", text, limit=60)
    assert folded.rest is not None
    assert str(folded.head).count("<code>") == str(folded.head).count("</code>")
    assert len(str(folded.head)) < len(text)
    assert (str(folded.head) + str(folded.rest)).replace("<code>", "`").replace(
        "</code>", "`"
    ) == text


@pytest.mark.anyio
async def test_a_kept_run_leaves_the_collectors_generations(tmp_path: Path) -> None:
    """A cached trace is frozen out of the collector: full collections no longer walk it."""
    settings = Settings(data_dir=tmp_path, secret_key="k")
    store = await Store.open(settings.resolved_database_url)
    service = TraceService(FakeEngine(), store, timeout_s=5.0, source_dir=tmp_path)
    lesson = load_catalog().get("async-http-client-calls")
    assert lesson is not None
    gc.unfreeze()
    try:
        run = await service.record(lesson, "canonical", fresh=True)
        assert gc.is_tracked(run.trace)
        assert gc.get_freeze_count() > 0
        assert not any(found is run.trace for found in gc.get_objects())
    finally:
        gc.unfreeze()
        await service.aclose()
        await store.close()
