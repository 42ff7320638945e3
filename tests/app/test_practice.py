"""Try, Challenge and Project in the app, with the fake engine (canned traces, nothing runs)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from app_factories import SLUG, SOURCES
from app_helpers import HTMX, TemplateRecorder
from trace_fakes import FakeEngine, canonical_trace

from loopscope.runs.practice import MAX_CODE_BYTES
from loopscope.settings import Settings
from loopscope.views.practice import ExerciseView, TryView
from visualizer import SandboxStatus

TRY = f"/lessons/{SLUG}/try"
CHALLENGE = f"/lessons/{SLUG}/challenge/c1"
PROJECT = f"/lessons/{SLUG}/project/client"
pytestmark = pytest.mark.anyio

CODE = "import asyncio\n\n\nasync def f(n=1):\n    await asyncio.sleep(0)\n    return n\n"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The app's settings with a small run allowance, so the limit is reached in a test."""
    return Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret",
        trace_prestart=False,
        run_rate="3/minute",
    )


@pytest.fixture
def sandbox(engine: FakeEngine) -> None:
    engine.sandbox = SandboxStatus(True, "")


async def _run(
    client: httpx.AsyncClient, token: str, code: str = CODE, call: str = "f()"
) -> httpx.Response:
    return await client.post(TRY, data={"csrf_token": token, "code": code, "call": call})


async def test_try_page_preloads_the_example_or_another_one(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    html = (await client.get(TRY)).text
    assert "<textarea" in html
    assert "data-editor" in html
    view = recorder.last.context["view"]
    assert isinstance(view, TryView)
    assert view.editor.code == SOURCES["canonical"]
    await client.get(f"{TRY}?example=blocking")
    assert recorder.last.context["view"].editor.code == SOURCES["blocking"]
    assert (await client.get(f"{TRY}?example=nope")).status_code == 404


@pytest.mark.usefixtures("sandbox")
async def test_a_run_keeps_the_draft_and_answers_with_its_permalink(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, recorder: TemplateRecorder
) -> None:
    response = await _run(client, token)
    assert response.status_code == 303
    run_url, anchor = response.headers["location"].split("#")
    assert f"{TRY}/runs/" in run_url
    assert anchor == "run"  # Run lands on the result, also without JavaScript
    [request] = engine.requests
    assert request.origin == "learner"
    assert request.file.read_text() == CODE
    page = await client.get(run_url)
    assert page.status_code == 200
    context = recorder.last.context
    assert context["player"] is not None
    assert 'id="player"' in str(context["player"])
    assert context["view"].editor.code == CODE
    # Stepping: Visual's own player block, for this run.
    fragment = await client.get(f"{run_url}?step=3", headers=HTMX)
    assert fragment.text.lstrip().startswith('<div id="player-stage"')  # the stage alone
    assert "Step 3 of" in fragment.text
    # A reload of the Try page keeps the code.
    await client.get(TRY)
    assert recorder.last.context["view"].editor.code == CODE


@pytest.mark.usefixtures("sandbox")
async def test_bad_code_is_a_422_that_keeps_the_code_and_marks_the_line(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, recorder: TemplateRecorder
) -> None:
    broken = "async def f():\n    return (\n"
    response = await _run(client, token, broken)
    assert response.status_code == 422
    editor = recorder.last.context["view"].editor
    assert editor.code == broken
    assert editor.error_line == 2
    assert 'data-error-line="2"' in response.text
    too_big = "x = 1\n" * (MAX_CODE_BYTES // 6 + 1)
    response = await _run(client, token, too_big)
    assert response.status_code == 422
    assert f"the limit is {MAX_CODE_BYTES:,} bytes" in response.text
    assert engine.requests == []


async def test_without_a_sandbox_the_editor_is_off_and_nothing_runs(
    client: httpx.AsyncClient, token: str, engine: FakeEngine
) -> None:
    engine.sandbox = SandboxStatus(False, "bwrap cannot create a user namespace")
    html = (await client.get(TRY)).text
    assert "bwrap cannot create a user namespace" in html
    assert "disabled" in html
    assert "readonly" in html
    response = await _run(client, token)
    assert response.status_code == 503
    assert "bwrap cannot create a user namespace" in response.text
    challenge = await client.post(CHALLENGE, data={"csrf_token": token, "code": CODE})
    assert challenge.status_code == 503
    assert engine.requests == []


@pytest.mark.usefixtures("sandbox")
async def test_a_failed_check_says_what_it_saw_and_links_to_the_replay_step(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, recorder: TemplateRecorder
) -> None:
    engine.trace_answer = canonical_trace().model_copy(update={"wall_ms": 500.0})
    response = await client.post(CHALLENGE, data={"csrf_token": token, "code": CODE})
    assert response.status_code == 303
    assert "/attempts/" in response.headers["location"]
    assert {r.call for r in engine.requests} == {"f()", "f(2)"}
    assert all(r.origin == "learner" for r in engine.requests)
    await client.get(response.headers["location"])
    view = recorder.last.context["view"]
    assert isinstance(view, ExerciseView)
    assert view.attempt_passed is False
    fast, no_stall, hidden = view.checks
    assert fast.passed is False
    assert "took 500 ms" in fast.detail
    assert fast.replay_url is not None
    assert f"?step={fast.step}" in fast.replay_url
    assert no_stall.passed is True
    assert hidden.hidden
    assert hidden.replay_url is None
    replay = await client.get(fast.replay_url.split("#")[0])
    assert replay.status_code == 200
    assert f"Step {fast.step} of" in replay.text
    # Not passed yet; then a fast run passes and the pass is kept.
    engine.trace_answer = canonical_trace().model_copy(update={"wall_ms": 50.0})
    passed = await client.post(CHALLENGE, data={"csrf_token": token, "code": CODE})
    await client.get(passed.headers["location"])
    assert recorder.last.context["view"].attempt_passed is True
    await client.get(f"/lessons/{SLUG}/challenge")
    [item] = recorder.last.context["view"].items
    assert item.passed


@pytest.mark.usefixtures("sandbox")
async def test_project_milestones_share_one_draft_and_are_checked(
    client: httpx.AsyncClient, token: str, recorder: TemplateRecorder
) -> None:
    await client.get(PROJECT)
    assert recorder.last.context["view"].editor.code == SOURCES["blocking"]  # the starter
    response = await client.post(PROJECT, data={"csrf_token": token, "code": CODE})
    assert response.status_code == 303
    await client.get(response.headers["location"])
    [check] = recorder.last.context["view"].checks
    assert check.passed is True  # the canned trace opens one TCP connection
    await client.get(PROJECT)
    assert recorder.last.context["view"].editor.code == CODE
    assert (await client.get(f"/lessons/{SLUG}/project/nope")).status_code == 404


@pytest.mark.usefixtures("sandbox")
async def test_runs_are_rate_limited_with_a_wait_and_the_draft_is_kept(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, recorder: TemplateRecorder
) -> None:
    for _ in range(3):
        assert (await _run(client, token)).status_code == 303
    latest = CODE + "# the fourth edit\n"
    refused = await _run(client, token, latest)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "wait" in refused.text.lower()
    assert len(engine.requests) == 3
    await client.get(TRY)
    assert recorder.last.context["view"].editor.code == latest
