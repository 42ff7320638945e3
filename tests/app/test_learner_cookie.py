from __future__ import annotations

import httpx
import pytest
from app_helpers import TemplateRecorder, learner_id

from loopscope.web.middleware.learner import COOKIE_NAME, learner_signer, read_learner

pytestmark = pytest.mark.anyio


async def test_a_new_visitor_gets_a_signed_lax_httponly_cookie(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    again = await client.get("/")
    assert "set-cookie" not in again.headers  # the same learner comes back


async def test_a_tampered_cookie_is_ignored_and_replaced(
    client: httpx.AsyncClient, token: str, recorder: TemplateRecorder
) -> None:
    await client.post("/lessons/demo-lesson/prompts/p2", data={"choice": "b", "csrf_token": token})
    original = learner_id(client)
    value = client.cookies[COOKIE_NAME]
    tampered = ("f" * 32) + value[32:]
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, tampered, domain="testserver.local")
    response = await client.get("/lessons/demo-lesson/deep")
    assert "set-cookie" in response.headers
    assert learner_id(client) != original
    view = recorder.last.context["view"]
    assert not view.step("s2").revealed  # nothing of the old learner is trusted or shown
    assert "SECRET-BODY-s2" not in response.text


def test_read_learner_rejects_garbage() -> None:
    signer = learner_signer("k")
    good = signer.sign("a" * 32).decode()
    assert read_learner(good, signer) == "a" * 32
    assert read_learner(good, learner_signer("other")) is None
    assert read_learner(signer.sign("../../etc").decode(), signer) is None
    assert read_learner("", signer) is None
    assert read_learner("no-dot-at-all", signer) is None
