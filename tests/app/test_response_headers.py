"""Every response carries the security headers and a CSP; every GET page answers HEAD."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from app_helpers import HTMX, TemplateRecorder
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

pytestmark = pytest.mark.anyio

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NONCE = re.compile(r'<meta name="csp-nonce" content="([A-Za-z0-9_-]{16,})">')
PARAMS = {"slug": "demo-lesson", "mode": "why", "comparison_id": "cmp1", "item_id": "r1"}


def assert_secured(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("style-src-attr")[0]
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


async def test_pages_carry_a_fresh_nonce_in_the_csp_and_the_meta_tag(
    client: httpx.AsyncClient,
) -> None:
    nonces = []
    for _ in range(2):
        response = await client.get("/lessons/demo-lesson/deep")
        assert_secured(response)
        found = NONCE.search(response.text)
        assert found, "no csp-nonce meta tag"
        assert f"'nonce-{found.group(1)}'" in response.headers["content-security-policy"]
        nonces.append(found.group(1))
    assert nonces[0] != nonces[1]


@pytest.mark.parametrize(
    ("method", "path", "status", "headers"),
    [
        ("GET", "/", 200, {}),
        ("GET", "/healthz", 200, {}),
        ("GET", "/static/app.css", 200, {}),
        ("GET", "/lessons/nope", 404, {}),
        ("GET", "/lessons/demo-lesson/deep", 200, HTMX),
        ("POST", "/lessons/demo-lesson/quiz/r1", 403, {}),
        ("GET", "/", 431, {"X-Padding": "a" * 20_000}),
        ("DELETE", "/", 405, {}),
    ],
)
async def test_every_kind_of_response_is_secured(
    client: httpx.AsyncClient, method: str, path: str, status: int, headers: dict[str, str]
) -> None:
    response = await client.request(method, path, headers=headers)
    assert response.status_code == status
    assert_secured(response)


def test_no_template_has_an_inline_script_or_handler() -> None:
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"{template.name}: inline <script>"
        assert not re.search(r"\son[a-z]+=", text), f"{template.name}: inline event handler"
        assert "hx-on" not in text, f"{template.name}: hx-on needs eval"


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # FastAPI's included routers
        if included is not None:
            yield from api_routes(included.routes)


def get_pages(app: FastAPI) -> list[str]:
    """A concrete address for every GET route, its parameters filled with plausible values."""
    paths = []
    for route in api_routes(app.routes):
        if "GET" in route.methods:
            names = re.findall(r"{(\w+)(?::\w+)?}", route.path)
            paths.append(route.path_format.format(**{n: PARAMS.get(n, "x" * 32) for n in names}))
    return paths


async def test_head_answers_every_get_page_like_get_without_a_body(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    app = recorder.app
    assert isinstance(app, FastAPI)
    pages = get_pages(app)
    assert len(pages) >= 8
    for path in pages:
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == got.status_code != 405, path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert_secured(head)
