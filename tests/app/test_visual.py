"""Visual mode's pages over canned traces (FakeEngine): player, steps, knobs, busy, progress."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
from app_factories import lesson_data
from app_helpers import HTMX, TemplateRecorder, csrf_token
from fastapi import FastAPI
from trace_fakes import FakeEngine

from lessons import Catalog
from lessons.models import Lesson
from loopscope.app import create_app
from loopscope.services import services_of
from loopscope.settings import Settings
from loopscope.views.visual import PlayerView
from visualizer import SCHEMA

pytestmark = pytest.mark.anyio

PAGE = "/lessons/demo-lesson/visualize"
_FORM = {"content-type": "application/x-www-form-urlencoded"}
RUNS = f"{PAGE}/runs"
_RUN = re.compile(r"/visualize/runs/([A-Za-z0-9_-]+)")


def knob_lesson() -> Lesson:
    data: dict[str, Any] = lesson_data()
    data["visual"]["quiz"][0] |= {"hint": "Look at the first row.", "hint_steps": [1]}
    data["visual"]["examples"] = [
        {
            "example": "canonical",
            "call_template": 'fetch_data("https://slow.example.com/delay/{latency}")',
            "knobs": [
                {
                    "id": "latency",
                    "label": "Server delay",
                    "kind": "range",
                    "min": 0,
                    "max": 2,
                    "step": 0.1,
                    "default": "0.2",
                },
                {"id": "blocking", "label": "What if: block", "kind": "toggle", "default": "false"},
            ],
            "variants": {"blocking": "blocking"},
        },
        {
            "example": "canonical",
            "call_template": 'fetch_data("https://api.example.com/status/{status}")',
            "knobs": [
                {
                    "id": "status",
                    "label": "Status",
                    "kind": "select",
                    "choices": {"200": "OK", "500": "Server error"},
                    "default": "500",
                }
            ],
        },
        {
            "example": "canonical",
            "knobs": [
                {
                    "id": "what_if",
                    "label": "What if",
                    "kind": "choice",
                    "choices": {"as_written": "As written", "blocking": "Block the loop"},
                    "default": "as_written",
                }
            ],
            "variants": {"blocking": "blocking"},
        },
    ]
    return Lesson.model_validate(data)


@pytest.fixture
def app(settings: Settings, engine: FakeEngine) -> FastAPI:
    return create_app(settings, catalog=Catalog((knob_lesson(),)), engine=engine)


def player(recorder: TemplateRecorder) -> PlayerView:
    found = recorder.last.context["player"]
    assert isinstance(found, PlayerView)
    return found


async def run_url(client: httpx.AsyncClient) -> str:
    html = (await client.get(PAGE)).text
    found = _RUN.search(html)
    assert found
    return f"{RUNS}/{found.group(1)}"


async def test_the_page_replays_the_recorded_run(
    client: httpx.AsyncClient, recorder: TemplateRecorder, engine: FakeEngine
) -> None:
    response = await client.get(PAGE)
    assert response.status_code == 200
    assert recorder.last.template == "lessons/visual.html"
    shown = player(recorder)
    assert shown.step == 1
    assert shown.total == 7
    assert [row.number for row in shown.steps if row.current] == [1]
    assert len(engine.requests) == 1
    assert engine.requests[0].call == "f()"  # the example's own call
    assert 'aria-current="step"' in response.text
    assert "The documented table this run is held against" in response.text


async def test_an_identical_request_reuses_the_recorded_run(
    client: httpx.AsyncClient, engine: FakeEngine
) -> None:
    first = await run_url(client)
    assert await run_url(client) == first
    assert len(engine.requests) == 1


@pytest.mark.parametrize(
    ("step", "client_state", "response_state"),
    [
        (2, "AsyncClient (open)", "(not set)"),
        (4, "AsyncClient (open)", "Response [200 OK]"),
        (5, "AsyncClient (closed)", "Response [200 OK]"),
    ],
)
async def test_each_step_has_a_link_and_its_variables(
    client: httpx.AsyncClient,
    recorder: TemplateRecorder,
    step: int,
    client_state: str,
    response_state: str,
) -> None:
    url = await run_url(client)
    response = await client.get(url, params={"step": step})
    assert response.status_code == 200
    shown = player(recorder)
    assert shown.step == step
    now = {var.name: var.value for var in shown.variables.current}
    assert now["client"] == client_state
    assert now["response"] == response_state


async def test_htmx_stepping_gets_only_the_players_stage(client: httpx.AsyncClient) -> None:
    url = await run_url(client)
    response = await client.get(url, params={"step": 3}, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="player-stage"')
    assert 'data-step="3"' in response.text
    # The long parts stay on the page (a fold the learner opened stays open): not in the swap.
    assert "trace-table" not in response.text
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["vary"]


async def test_the_whole_page_shows_one_stage(client: httpx.AsyncClient) -> None:
    html = (await client.get(await run_url(client), params={"step": 2})).text
    assert html.count('id="player-stage"') == 1
    assert html.count('id="player"') == 1
    assert 'data-step="2"' in html


async def test_every_step_link_lands_on_the_player(client: httpx.AsyncClient) -> None:
    url = await run_url(client)
    html = (await client.get(url, params={"step": 2})).text
    hrefs = re.findall(r'href="([^"]*\?step=\d+[^"]*)"', html)
    assert hrefs
    assert all(href.endswith("#player") for href in hrefs), hrefs
    assert 'action="' + url.split("?")[0]  # the slider's form lands there too
    assert re.search(r'<form class="step-slider" method="get" action="[^"]+#player"', html)


async def test_a_step_past_the_end_shows_the_last(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    url = await run_url(client)
    await client.get(url, params={"step": 99})
    assert player(recorder).step == 7


async def test_the_loop_panel_tells_the_wait_on_sockets(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    url = await run_url(client)
    await client.get(url, params={"step": 3})
    loop = player(recorder).loop
    assert loop.waits >= 1
    assert any("api.example.com:443" in reason for reason in loop.woken_by)
    # the row says the task is suspended at its await: the panel agrees, and says on what
    assert [task.state for task in loop.tasks] == ["waiting"]
    assert "suspended at line 6, waiting for" in loop.tasks[0].text
    await client.get(url, params={"step": 4})
    assert [task.state for task in player(recorder).loop.tasks] == ["running"]


async def test_a_run_downloads_as_trace_json_and_as_a_perfetto_trace(
    client: httpx.AsyncClient,
) -> None:
    url = await run_url(client)
    raw = await client.get(f"{url}/trace.json")
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "application/json"
    assert raw.headers["content-disposition"].startswith("attachment; filename=")
    assert raw.json()["schema"] == SCHEMA
    assert len(raw.json()["steps"]) == 7
    assert "tasks" not in raw.json()  # the contract's form: names in every row, no lookups
    assert all(isinstance(step["task"], str | None) for step in raw.json()["steps"])
    chrome = await client.get(f"{url}/perfetto.json")
    assert chrome.status_code == 200
    assert chrome.headers["content-disposition"].endswith('.perfetto.json"')
    names = {e["name"] for e in chrome.json()["traceEvents"]}
    assert "connect_tcp" in names
    page = (await client.get(url)).text
    assert f'{url}/trace.json" download' in page
    assert f'{url}/perfetto.json" download' in page
    assert (await client.get(f"{RUNS}/unknownrun123/trace.json")).status_code == 404


async def test_the_transcript_tells_every_step(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    await client.get(PAGE)
    told = recorder.last.context["transcript"]
    assert len(told) >= 7
    assert str(told[0]).startswith("Step 1")


@pytest.mark.parametrize("run_id", ["unknownrun123", "x" * 12])
async def test_an_unknown_run_is_404(client: httpx.AsyncClient, run_id: str) -> None:
    assert (await client.get(f"{RUNS}/{run_id}")).status_code == 404


async def test_a_knob_form_records_a_fresh_run(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, recorder: TemplateRecorder
) -> None:
    form = {"csrf_token": token, "run_form": "0", "latency": "0.7", "fresh": "true"}
    response = await client.post(RUNS, data=form)
    assert response.status_code == 303
    assert _RUN.search(response.headers["location"])
    assert response.headers["location"].endswith("#player")  # it opens at the new run
    assert engine.requests[-1].call == 'fetch_data("https://slow.example.com/delay/0.7")'
    await client.get(response.headers["location"])
    assert dict(player(recorder).knobs) == {"latency": "0.7", "blocking": "false"}
    forms = recorder.last.context["forms"]
    assert forms[0].current
    assert forms[0].knobs[0].value == "0.7"


async def test_a_toggle_runs_its_variant_example(
    client: httpx.AsyncClient, token: str, engine: FakeEngine
) -> None:
    form = {"csrf_token": token, "run_form": "0", "latency": "0.2", "blocking": "true"}
    assert (await client.post(RUNS, data=form)).status_code == 303
    assert engine.requests[-1].file.name == "blocking.py"


async def test_a_what_if_choice_is_one_radio_group(
    client: httpx.AsyncClient, token: str, engine: FakeEngine
) -> None:
    html = (await client.get(PAGE)).text
    radios = re.findall(r'<input type="radio" id="knob-2-what_if-\d" name="what_if"[^>]*>', html)
    assert len(radios) == 2
    assert sum("checked" in radio for radio in radios) == 1
    form = {"csrf_token": token, "run_form": "2", "what_if": "blocking"}
    assert (await client.post(RUNS, data=form)).status_code == 303
    assert engine.requests[-1].file.name == "blocking.py"


async def test_two_what_ifs_at_once_are_a_422_and_run_nothing(
    client: httpx.AsyncClient, token: str, engine: FakeEngine
) -> None:
    before = len(engine.requests)
    fields = [("csrf_token", token), ("run_form", "2")]
    fields += [("what_if", "as_written"), ("what_if", "blocking")]
    response = await client.post(
        RUNS, content=httpx.QueryParams(fields).__str__().encode(), headers=_FORM
    )
    assert response.status_code == 422
    assert "sent twice" in response.text
    assert len(engine.requests) == before


@pytest.mark.parametrize(
    "fields",
    [
        {"run_form": "0", "latency": "2.5"},  # out of range
        {"run_form": "0", "latency": "0.15"},  # off the step
        {"run_form": "0", "latency": '0.1"); import os  #'},  # never reaches the call
        {"run_form": "0", "latency": "nan"},
        {"run_form": "0", "blocking": "maybe"},
        {"run_form": "1", "status": "418"},  # not a choice
        {"run_form": "2", "what_if": "both"},  # not one of the what-ifs
        {"run_form": "7"},  # no such form
    ],
)
async def test_bad_knob_values_are_a_422_and_run_nothing(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, fields: dict[str, str]
) -> None:
    before = len(engine.requests)
    response = await client.post(RUNS, data={"csrf_token": token, **fields})
    assert response.status_code == 422
    assert "could not be used" in response.text or "missing something" in response.text
    assert len(engine.requests) == before


async def test_a_full_queue_is_a_503_with_retry_after(
    client: httpx.AsyncClient, token: str, engine: FakeEngine
) -> None:
    engine.busy = True
    response = await client.post(RUNS, data={"csrf_token": token, "run_form": "1", "status": "200"})
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    assert "try again" in response.text.lower()


async def test_htmx_shows_progress_then_the_run(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, running: FastAPI
) -> None:
    engine.gate = asyncio.Event()
    form = {"csrf_token": token, "run_form": "1", "status": "200", "fresh": "true"}
    response = await client.post(RUNS, data=form, headers=HTMX)
    assert response.status_code == 200
    assert "Recording a real run" in response.text
    poll = re.search(r'hx-get="([^"]+/progress/[0-9a-f]+)"', response.text)
    assert poll
    still = await client.get(poll.group(1), headers=HTMX)
    assert "Recording a real run" in still.text
    engine.gate.set()
    key = poll.group(1).rsplit("/", 1)[-1]
    await asyncio.wait_for(services_of(running).traces.wait(key), 10)  # recorded and saved
    done = await client.get(poll.group(1), headers=HTMX)
    assert done.status_code == 200
    assert done.text.lstrip().startswith('<section id="run"')
    assert _RUN.search(done.headers["hx-push-url"])


async def test_a_visual_quiz_answer_is_scored_and_kept(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    token = await csrf_token(client, PAGE)
    response = await client.post(
        "/lessons/demo-lesson/quiz/v1", data={"csrf_token": token, "choice": "b", "mode": "visual"}
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("/visualize#q-v1")
    await client.get(PAGE)
    question = recorder.last.context["view"].question("v1")
    assert question.choice.correct is True
    visual = next(m for m in recorder.last.context["page"].modes if m.mode == "visual")
    assert visual.score is not None
    assert visual.score.text == "1/1"


async def test_the_quiz_hint_links_to_its_rows(client: httpx.AsyncClient) -> None:
    html = (await client.get(PAGE)).text
    assert 'href="?step=1#player"' in html
    assert 'id="step-1"' in html


async def test_a_step_tells_its_request_plainly_and_keeps_httpcore_apart(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    url = await run_url(client)
    html = (await client.get(url, params={"step": 3})).text
    [request] = player(recorder).http
    assert request.label.startswith("request 1, GET https://api.example.com/")
    assert request.plain[0] == "opening a TCP connection"
    assert "waiting for the answer" in request.plain
    assert not any("_" in words for words in request.plain)  # no httpcore names up front
    assert request.internals[:2] == ("connect_tcp", "start_tls")
    assert '<details class="http-internals">' in html
    await client.get(url, params={"step": 1})
    assert player(recorder).http == ()
