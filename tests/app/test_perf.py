"""Perf mode over the real lesson, with real traces recorded once per session by run_trace.

The app's TraceService is real (reuse, fresh runs, busy); only its engine is a stand-in that
answers from the traces recorded here, so the figures on the page are those of real runs.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

import httpx
import pytest
from app_helpers import BASE_URL, TemplateRecorder, client_for, csrf_token
from fastapi import FastAPI

from lessons import load_catalog
from loopscope.app import create_app
from loopscope.settings import Settings
from loopscope.views.perf import Measurement, PerfView
from visualizer import EngineBusy, SandboxStatus, Trace, TraceRequest, run_trace
from visualizer.contract.request import ProgressCallback

pytestmark = pytest.mark.anyio

SLUG = "async-http-client-calls"
PERF = f"/lessons/{SLUG}/perf"
GATHER = "perf-sequential-vs-gather"
HX = {"HX-Request": "true"}
EXAMPLES = Path(__file__).resolve().parents[2] / "lessons/content" / SLUG / "examples"
DEFAULT_RUNS = (
    ("step5_gather.py", "one_by_one()"),
    ("step5_gather.py", "all_at_once()"),
    ("pitfall_client_wrong.py", "main()"),
    ("pitfall_client_right.py", "main()"),
    ("pitfall_sleep_wrong.py", "main()"),
    ("pitfall_sleep_right.py", "main()"),
)

RealTraces = dict[tuple[str, str], Trace]


@pytest.fixture(scope="session")
def real_traces() -> RealTraces:
    """The six runs behind perf.yaml, recorded for real (in parallel: meaning, not timing)."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        traces = pool.map(
            lambda run: run_trace(TraceRequest(EXAMPLES / run[0], run[1])), DEFAULT_RUNS
        )
        return dict(zip(DEFAULT_RUNS, traces, strict=True))


class RecordedEngine:
    """Answers a request with the real trace of the same file and call (N calls: the default
    trace of that file's function, its call replaced); can be made busy."""

    def __init__(self, traces: RealTraces) -> None:
        self.traces = traces
        self.requests: list[TraceRequest] = []
        self.busy = False
        self.sandbox = SandboxStatus(True)
        self.on_progress: ProgressCallback | None = None

    async def __aenter__(self) -> RecordedEngine:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def aclose(self) -> None:
        return None

    async def trace(self, request: TraceRequest) -> Trace:
        if self.busy:
            raise EngineBusy("all 2 trace workers are busy and 8 traces are waiting")
        self.requests.append(request)
        await asyncio.sleep(0)
        function = request.call.split("(")[0] + "()"
        trace = self.traces[(request.file.name, function)]
        return trace.model_copy(update={"call": request.call})


@pytest.fixture(scope="session")
def lesson_catalog() -> object:
    return load_catalog()


@pytest.fixture
def perf_engine(real_traces: RealTraces) -> RecordedEngine:
    return RecordedEngine(real_traces)


@pytest.fixture
async def perf_app(
    tmp_path: Path, perf_engine: RecordedEngine, lesson_catalog: object
) -> AsyncIterator[FastAPI]:
    settings = Settings(data_dir=tmp_path / "data", secret_key="test-secret", trace_prestart=False)
    app = create_app(settings, catalog=lesson_catalog, engine=perf_engine)  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def perf_recorder(perf_app: FastAPI) -> TemplateRecorder:
    return TemplateRecorder(perf_app)


@pytest.fixture
async def perf_client(perf_recorder: TemplateRecorder) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(perf_recorder) as client:
        yield client


def _run_ids(html: str) -> list[str]:
    return re.findall(r"Run <code>([A-Za-z0-9_-]+)</code>", html)


def _measured(recorder: TemplateRecorder, comparison_id: str) -> Measurement:
    view: PerfView = recorder.last.context["view"]
    found = view.comparison(comparison_id).measured
    assert found is not None
    return found


async def test_the_page_renders_at_once_with_placeholders_that_load_each_comparison(
    perf_client: httpx.AsyncClient, perf_recorder: TemplateRecorder, perf_engine: RecordedEngine
) -> None:
    response = await perf_client.get(PERF)
    assert response.status_code == 200
    assert perf_recorder.last.template == "lessons/perf.html"
    view: PerfView = perf_recorder.last.context["view"]
    assert [c.measured for c in view.comparisons] == [None, None, None]
    assert perf_engine.requests == []
    html = response.text
    for comparison in view.comparisons:
        assert f'hx-get="{BASE_URL}{PERF}/{comparison.id}"' in html
    assert html.count('hx-trigger="load"') == 3
    assert f'url={BASE_URL}{PERF}?wait=true"' in html  # without JavaScript: the page that waits


async def test_waiting_page_shows_every_figure_from_the_recorded_runs(
    perf_client: httpx.AsyncClient, perf_recorder: TemplateRecorder, real_traces: RealTraces
) -> None:
    response = await perf_client.get(PERF, params={"wait": "true"})
    assert response.status_code == 200
    html = response.text
    assert 'hx-trigger="load"' not in html
    gather = _measured(perf_recorder, GATHER)
    slow = real_traces[("step5_gather.py", "one_by_one()")]
    fast = real_traces[("step5_gather.py", "all_at_once()")]
    rows = {row.label: row for row in gather.figures}
    assert rows["Wall time"].is_metric
    assert rows["HTTP requests"].slow == rows["HTTP requests"].fast == "3"
    assert (rows["Requests in flight at once"].slow, rows["Requests in flight at once"].fast) == (
        "no",
        "yes",
    )
    ratio = f"{slow.wall_ms / fast.wall_ms:.1f}x faster for 3 calls"
    assert gather.verdict.startswith(f"all_at_once(): {ratio}")
    assert gather.slow.timeline.wall_ms == slow.wall_ms
    assert gather.slow.timeline.scale_ms == gather.fast.timeline.scale_ms  # one shared axis
    assert not gather.slow.reused  # recorded by this request
    clients = _measured(perf_recorder, "perf-client-per-call-vs-shared")
    connects = {row.label: row for row in clients.figures}["TCP connections opened"]
    assert (connects.slow, connects.fast, connects.is_metric) == ("3", "1", True)
    blocking = _measured(perf_recorder, "perf-blocking-vs-await")
    assert blocking.slow.timeline.blocked_ms > 500
    # A stall verdict rests on the line's cause (time.sleep, a sync client, computing), not on
    # load pushing a time past 50 ms: building the AsyncClient is told, never flagged.
    polite = real_traces[("pitfall_sleep_right.py", "main()")]
    assert polite.blocked == ()
    assert "never blocked the loop" in blocking.verdict
    rude = real_traces[("pitfall_sleep_wrong.py", "main()")]
    assert {stall.cause for stall in rude.blocked} == {"sleep"}
    # the client built per call is told as what it is, not flagged as a stall
    per_call = real_traces[("pitfall_client_wrong.py", "main()")]
    assert per_call.blocked == ()
    assert per_call.clients_created == 3
    # Figures in text: a real table with header cells, and each timeline in words.
    assert '<th scope="row">Wall time' in html
    assert '<th scope="col">Figure</th>' in html
    assert html.count("The timeline in words") == 6
    assert "recorded now, at" in html
    # every run shown can be downloaded: its trace JSON and its Perfetto export
    assert html.count('/trace.json" download') == html.count('/perfetto.json" download') == 6


async def test_an_htmx_request_gets_the_comparison_alone_and_a_second_one_reuses_the_runs(
    perf_client: httpx.AsyncClient, perf_recorder: TemplateRecorder, perf_engine: RecordedEngine
) -> None:
    first = await perf_client.get(f"{PERF}/{GATHER}", headers=HX)
    assert first.status_code == 200
    assert "<html" not in first.text
    assert first.text.lstrip().startswith(f'<section class="comparison perf" id="perf-{GATHER}"')
    assert "recorded now, at" in first.text
    assert len(perf_engine.requests) == 2
    second = await perf_client.get(f"{PERF}/{GATHER}", headers=HX)
    assert len(perf_engine.requests) == 2  # identical runs reused, not run again
    assert _run_ids(second.text) == _run_ids(first.text)
    assert second.text.count("reused from an identical run recorded") == 2
    await perf_client.get(f"{PERF}/{GATHER}")  # the whole page, for its context
    measured = _measured(perf_recorder, GATHER)
    assert measured.slow.reused
    assert measured.fast.reused


async def test_measure_again_records_fresh_runs(
    perf_client: httpx.AsyncClient, perf_recorder: TemplateRecorder, perf_engine: RecordedEngine
) -> None:
    page = await perf_client.get(f"{PERF}/{GATHER}")
    assert len(perf_engine.requests) == 2
    token = await csrf_token(perf_client, f"/lessons/{SLUG}/deep")
    again = await perf_client.post(f"{PERF}/{GATHER}", data={"csrf_token": token}, headers=HX)
    assert again.status_code == 200
    assert len(perf_engine.requests) == 4
    assert set(_run_ids(again.text)).isdisjoint(_run_ids(page.text))
    assert again.text.count("recorded now, at") == 2


async def test_measure_again_without_javascript_redirects_to_those_runs(
    perf_client: httpx.AsyncClient, perf_recorder: TemplateRecorder, perf_engine: RecordedEngine
) -> None:
    token = await csrf_token(perf_client, f"/lessons/{SLUG}/deep")
    response = await perf_client.post(f"{PERF}/{GATHER}", data={"csrf_token": token, "n": "4"})
    assert response.status_code == 303
    location = httpx.URL(response.headers["location"])
    assert location.path == f"{PERF}/{GATHER}"
    assert location.params["n"] == "4"
    assert location.fragment == f"perf-{GATHER}"
    shown = await perf_client.get(location)
    assert shown.status_code == 200
    assert "<html" in shown.text
    measured = _measured(perf_recorder, GATHER)
    assert (measured.slow.run_id, measured.fast.run_id) == (
        location.params["slow"],
        location.params["fast"],
    )
    assert len(perf_engine.requests) == 2  # shown, not measured again


async def test_measure_again_needs_the_csrf_token(perf_client: httpx.AsyncClient) -> None:
    await perf_client.get(PERF)
    assert (await perf_client.post(f"{PERF}/{GATHER}", data={})).status_code == 403


async def test_n_runs_both_sides_with_n_calls(
    perf_client: httpx.AsyncClient, perf_recorder: TemplateRecorder, perf_engine: RecordedEngine
) -> None:
    response = await perf_client.get(f"{PERF}/{GATHER}", params={"n": "5"}, headers=HX)
    assert response.status_code == 200
    assert [r.call for r in perf_engine.requests] == [
        "one_by_one(URLS[:1] * 5)",
        "all_at_once(URLS[:1] * 5)",
    ]
    await perf_client.get(f"{PERF}/perf-blocking-vs-await", params={"n": "2"}, headers=HX)
    assert [r.call for r in perf_engine.requests[2:]] == ["main(n=2)", "main(n=2)"]
    assert 'name="n"' in response.text
    assert 'value="5"' in response.text


@pytest.mark.parametrize("n", ["0", "11", "-3", "abc", "2.5"])
async def test_a_bad_n_is_a_422_page(
    perf_client: httpx.AsyncClient, perf_engine: RecordedEngine, n: str
) -> None:
    response = await perf_client.get(f"{PERF}/{GATHER}", params={"n": n})
    assert response.status_code == 422
    assert "n:" in response.text
    assert perf_engine.requests == []


async def test_a_bad_n_in_measure_again_is_a_422(perf_client: httpx.AsyncClient) -> None:
    token = await csrf_token(perf_client, f"/lessons/{SLUG}/deep")
    response = await perf_client.post(f"{PERF}/{GATHER}", data={"csrf_token": token, "n": "99"})
    assert response.status_code == 422


async def test_an_unknown_comparison_is_a_404(perf_client: httpx.AsyncClient) -> None:
    assert (await perf_client.get(f"{PERF}/perf-nothing")).status_code == 404


async def test_a_full_queue_is_a_503_that_says_try_again(
    perf_client: httpx.AsyncClient, perf_engine: RecordedEngine
) -> None:
    perf_engine.busy = True
    fragment = await perf_client.get(f"{PERF}/{GATHER}", headers=HX)
    assert fragment.status_code == 503
    assert fragment.headers["retry-after"] == "5"
    assert "busy" in fragment.text
    assert "Try again" in fragment.text
    page = await perf_client.get(PERF, params={"wait": "true"})
    assert page.status_code == 503
    assert "<html" in page.text
    assert page.text.count("Not measured.") == 3
    perf_engine.busy = False
    assert (await perf_client.get(f"{PERF}/{GATHER}", headers=HX)).status_code == 200
