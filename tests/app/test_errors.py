from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest
from app_helpers import HTMX, TemplateRecorder, client_for, csrf_token
from fastapi import FastAPI

from loopscope.services import services_of

pytestmark = pytest.mark.anyio

LESSON = "/lessons/demo-lesson"


def assert_error_page(response: httpx.Response, status: int) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/lessons/nope",
        "/lessons/nope/deep",
        f"{LESSON}/bogus",
        f"{LESSON}/learn",
        f"{LESSON}/deep/extra",
        "/nowhere",
    ],
)
async def test_unknown_pages_are_404_html(
    client: httpx.AsyncClient, recorder: TemplateRecorder, path: str
) -> None:
    response = await client.get(path)
    assert_error_page(response, 404)
    assert recorder.last.template == "error.html"
    assert recorder.last.context["error"].status == 404


async def test_posting_to_an_unknown_lesson_is_404(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(
        "/lessons/nope/prompts/p2", data={"choice": "a", "csrf_token": token}
    )
    assert_error_page(response, 404)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (f"{LESSON}/prompts/p2", {}),  # missing field
        (f"{LESSON}/prompts/p2", {"choice": "z"}),  # unknown option
        (f"{LESSON}/prompts/nope", {"choice": "a"}),  # unknown item
        (f"{LESSON}/prompts/BAD%20ID", {"choice": "a"}),  # malformed item id
        (f"{LESSON}/prompts/p2", {"choice": "<b>"}),  # malformed option id
        (f"{LESSON}/prompts/p2", {"choice": "a" * 200}),  # too long
        (f"{LESSON}/myths/m1", {"verdict": "maybe"}),  # not yes or no
        (f"{LESSON}/myths/nope", {"verdict": "no"}),  # unknown myth
        (f"{LESSON}/quiz/r1", {"choice": "q"}),  # unknown option
        (f"{LESSON}/quiz/p2", {"choice": "a"}),  # a prompt is not a recall question
        (f"{LESSON}/quiz-rounds", {"round": "abc"}),  # malformed round
        (f"{LESSON}/quiz-rounds", {"round": "0"}),
    ],
)
async def test_bad_answers_are_422_html(
    client: httpx.AsyncClient,
    token: str,
    recorder: TemplateRecorder,
    path: str,
    data: dict[str, str],
) -> None:
    response = await client.post(path, data={**data, "csrf_token": token})
    assert_error_page(response, 422)
    assert recorder.last.template == "error.html"
    assert recorder.last.context["error"].message


async def test_bad_answer_over_htmx_is_a_422_fragment(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await client.post(
        f"{LESSON}/prompts/p2", data={"choice": "z"}, headers={**HTMX, "X-CSRF-Token": token}
    )
    assert response.status_code == 422
    assert "<html" not in response.text
    assert 'role="alert"' in response.text
    assert "no option" in response.text


async def test_a_json_body_is_422_not_500(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(
        f"{LESSON}/prompts/p2", json={"choice": "a"}, headers={"X-CSRF-Token": token}
    )
    assert_error_page(response, 422)


async def test_wrong_method_is_405_html(client: httpx.AsyncClient) -> None:
    assert_error_page(await client.get(f"{LESSON}/prompts/p2"), 405)


async def test_a_failing_store_gives_a_friendly_500(running: FastAPI) -> None:
    class BrokenStore:
        def __getattr__(self, name: str) -> Any:
            async def fail(*args: object, **kwargs: object) -> None:
                raise RuntimeError("database is on fire")

            return fail

    async with client_for(TemplateRecorder(running), raise_app_exceptions=False) as client:
        token = await csrf_token(client)
        real = services_of(running)
        running.state.services = replace(real, store=BrokenStore())
        try:
            response = await client.get(f"{LESSON}/deep")
        finally:
            running.state.services = real
    assert_error_page(response, 500)
    assert "Something went wrong" in response.text
    assert "on fire" not in response.text
    assert token
