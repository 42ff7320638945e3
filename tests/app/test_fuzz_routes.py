"""Fuzz every route, HTML forms included: no request gets a 5xx or shows a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from app_factories import make_catalog
from app_helpers import BASE_URL, HTMX, csrf_token
from fastapi import FastAPI
from fuzzing import FuzzRequest, is_clean, requests_for, route_shapes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from trace_fakes import FakeEngine

from loopscope.app import create_app
from loopscope.settings import Settings


@dataclass
class Fuzzed:
    portal: BlockingPortal
    client: httpx.AsyncClient
    token: str
    app: FastAPI
    seen: list[int]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    tmp = tmp_path_factory.mktemp("fuzz")
    settings = Settings(
        data_dir=tmp / "data",
        secret_key="test-secret",
        trace_prestart=False,
        prune_interval_s=0,
        run_rate="100000/minute",  # the limiter has its own tests; here every form runs
        run_rate_per_address="100000/minute",
    )
    app = create_app(settings, catalog=make_catalog(), engine=FakeEngine())
    with (
        start_blocking_portal(backend="asyncio") as portal,
        portal.wrap_async_context_manager(app.router.lifespan_context(app)),
    ):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        token = portal.call(csrf_token, client)
        yield Fuzzed(portal, client, token, app, [])
        portal.call(client.aclose)


async def _send(client: httpx.AsyncClient, request: FuzzRequest, htmx: bool) -> httpx.Response:
    return await client.request(
        request.method,
        request.url,
        params=request.params,
        data=request.form or None,
        headers=HTMX if htmx else None,
    )


def test_every_route_is_fuzzed(fuzzed: Fuzzed) -> None:
    shapes = route_shapes(fuzzed.app)
    posted = {shape.path for shape in shapes if shape.method == "POST"}
    assert "/lessons/{slug}/quiz/{item_id}" in posted
    assert "/lessons/{slug}/visualize/runs" in posted
    assert len(shapes) >= 12


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), htmx=st.booleans())
def test_no_request_gets_a_server_error(fuzzed: Fuzzed, data: st.DataObject, htmx: bool) -> None:
    request = data.draw(requests_for(route_shapes(fuzzed.app), fuzzed.token))
    response = fuzzed.portal.call(_send, fuzzed.client, request, htmx)
    fuzzed.seen.append(response.status_code)
    assert is_clean(response.status_code, response.text), (request, response.status_code)
