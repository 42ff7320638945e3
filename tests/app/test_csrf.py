from __future__ import annotations

import httpx
import pytest
from app_helpers import HTMX

pytestmark = pytest.mark.anyio

PROMPT = "/lessons/demo-lesson/prompts/p2"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
async def test_cross_site_posts_are_refused(
    client: httpx.AsyncClient, token: str, headers: dict[str, str]
) -> None:
    response = await client.post(PROMPT, data={"choice": "a", "csrf_token": token}, headers=headers)
    assert response.status_code == 403
    assert "another site" in response.text


async def test_same_origin_posts_pass(client: httpx.AsyncClient, token: str) -> None:
    headers = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    response = await client.post(PROMPT, data={"choice": "a", "csrf_token": token}, headers=headers)
    assert response.status_code == 303


@pytest.mark.parametrize("data", [{"choice": "a"}, {"choice": "a", "csrf_token": "forged"}])
async def test_posts_without_a_valid_token_are_refused(
    client: httpx.AsyncClient, token: str, data: dict[str, str]
) -> None:
    response = await client.post(PROMPT, data=data)
    assert response.status_code == 403


async def test_htmx_sends_the_token_in_a_header(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(
        PROMPT, data={"choice": "a"}, headers={**HTMX, "X-CSRF-Token": token}
    )
    assert response.status_code == 200
    forged = await client.post(PROMPT, data={"choice": "a"}, headers={**HTMX, "X-CSRF-Token": "x"})
    assert forged.status_code == 403


async def test_a_token_is_bound_to_its_learner(client: httpx.AsyncClient, token: str) -> None:
    client.cookies.clear()
    response = await client.post(PROMPT, data={"choice": "a", "csrf_token": token})
    assert response.status_code == 403


async def test_a_non_ascii_token_is_refused_not_a_server_error(client: httpx.AsyncClient) -> None:
    # Found by bench/reliability.py's fuzzing: hmac.compare_digest raised TypeError on str.
    response = await client.post(
        "/lessons/demo-lesson/quiz/r1", data={"csrf_token": "jeton-é", "choice": "a"}
    )
    assert response.status_code == 403
