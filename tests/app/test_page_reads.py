"""A room opening a page: reloads read nothing from the database, and are still right.

What a page knows about a learner is kept in memory until that learner writes
(``loopscope.storage.learnercache``); whole pages are kept per state, with the CSRF token and
the CSP nonce put in per response (``Templates.page``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from app_helpers import TemplateRecorder, client_for, learner_id, token_in
from sqlalchemy import event
from trace_fakes import FakeEngine

from loopscope.storage import Store
from loopscope.web.middleware.security import csrf_token
from visualizer import SandboxStatus

pytestmark = pytest.mark.anyio

SLUG = "demo-lesson"
LESSON = f"/lessons/{SLUG}"
PAGES = tuple(
    LESSON + suffix
    for suffix in (
        "",
        "/why",
        "/deep",
        "/visualize",
        "/try",
        "/challenge",
        "/project",
        "/recall",
        "/perf",
    )
)
NONCE = re.compile(r'<meta name="csp-nonce" content="([A-Za-z0-9_-]{16,})">')


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """Every SQL statement the store sends while the block runs."""
    seen: list[str] = []
    engine = store.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def answer(client: httpx.AsyncClient, question: str = "r1", choice: str = "a") -> None:
    token = token_in((await client.get(f"{LESSON}/recall")).text)
    form = {"csrf_token": token, "choice": choice}
    response = await client.post(f"{LESSON}/quiz/{question}", data=form)
    assert response.status_code == 303


@pytest.mark.parametrize("page", PAGES)
async def test_reloading_a_page_reads_nothing_for_a_visitor(
    client: httpx.AsyncClient, store: Store, page: str
) -> None:
    await client.get("/")  # the learner cookie
    assert (await client.get(page)).status_code == 200
    with statements(store) as seen:
        for _ in range(3):
            assert (await client.get(page)).status_code == 200
    assert seen == []


@pytest.mark.parametrize("page", PAGES)
async def test_a_room_of_new_learners_opening_a_page_reads_nothing(
    recorder: TemplateRecorder, store: Store, page: str
) -> None:
    async with client_for(recorder) as first:
        assert (await first.get(page)).status_code == 200  # Visual records its run once
    with statements(store) as seen:
        for _ in range(5):
            async with client_for(recorder) as learner:
                for _ in range(2):  # issued a cookie, then back with it
                    assert (await learner.get(page)).status_code == 200
    assert seen == []


@pytest.mark.parametrize("page", PAGES)
async def test_reloading_a_page_reads_nothing_for_a_learner_with_progress(
    client: httpx.AsyncClient, store: Store, page: str
) -> None:
    await answer(client)
    # The first load stores the visit (the place changed), the second reads the new place.
    for _ in range(2):
        assert (await client.get(page)).status_code == 200
    with statements(store) as seen:
        for _ in range(3):
            assert (await client.get(page)).status_code == 200
    assert seen == []


def answered(html: str) -> int:
    """How many quiz questions the Recall page the learner got says are answered: read from the
    bytes sent, never from the template context (it is built again for every response, kept page
    or not, so it cannot tell whether the kept bytes were stale)."""
    found = re.search(r"Round \d+: (\d+) of \d+ answered", html)
    assert found, "no quiz status on the page"
    return int(found.group(1))


async def test_an_answer_shows_on_the_next_load_of_a_kept_page(client: httpx.AsyncClient) -> None:
    for _ in range(2):  # the second load is served from what was kept
        kept = (await client.get(f"{LESSON}/recall")).text
    assert answered(kept) == 0
    await answer(client, "r1", "a")
    assert answered((await client.get(f"{LESSON}/recall")).text) == 1


async def test_a_prediction_shows_on_the_next_load_of_deep(client: httpx.AsyncClient) -> None:
    page = (await client.get(f"{LESSON}/deep")).text
    kept = (await client.get(f"{LESSON}/deep")).text
    assert 'class="score"' not in kept
    form = {"csrf_token": token_in(page), "choice": "b"}
    assert (await client.post(f"{LESSON}/prompts/p2", data=form)).status_code == 303
    assert 'class="score"' in (await client.get(f"{LESSON}/deep")).text


async def test_two_learners_never_see_each_others_answers_or_tokens(
    recorder: TemplateRecorder, app_secret: str
) -> None:
    async with client_for(recorder) as first, client_for(recorder) as second:
        await answer(first, "r1", "a")
        mine = await first.get(f"{LESSON}/recall")
        assert answered(mine.text) == 1
        for _ in range(2):  # the second is served from what was kept
            theirs = await second.get(f"{LESSON}/recall")
            assert answered(theirs.text) == 0
            assert token_in(theirs.text) == csrf_token(learner_id(second), app_secret)
        assert token_in(mine.text) == csrf_token(learner_id(first), app_secret)
        assert learner_id(first) != learner_id(second)


async def test_a_kept_page_carries_a_fresh_nonce_matching_its_header(
    client: httpx.AsyncClient,
) -> None:
    for page in PAGES:
        nonces = []
        for _ in range(3):
            response = await client.get(page)
            found = NONCE.search(response.text)
            assert found, f"no csp-nonce meta tag on {page}"
            assert f"'nonce-{found.group(1)}'" in response.headers["content-security-policy"]
            assert "\x00" not in response.text  # no stand-in is left in
            nonces.append(found.group(1))
        assert len(set(nonces)) == 3, page


async def test_the_form_of_a_kept_page_still_posts(client: httpx.AsyncClient) -> None:
    await client.get(f"{LESSON}/deep")
    kept = await client.get(f"{LESSON}/deep")
    form = {"csrf_token": token_in(kept.text), "verdict": "no"}
    assert (await client.post(f"{LESSON}/myths/m1", data=form)).status_code == 303


async def test_a_saved_draft_shows_on_the_next_load_of_try(
    client: httpx.AsyncClient, engine: FakeEngine
) -> None:
    engine.sandbox = SandboxStatus(True, "")
    page = (await client.get(f"{LESSON}/try")).text
    kept = (await client.get(f"{LESSON}/try")).text
    code = "async def f():\n    return 'mine-4f2a'\n"
    assert "mine-4f2a" not in kept
    form = {"csrf_token": token_in(page), "code": code, "call": "f()"}
    assert (await client.post(f"{LESSON}/try", data=form)).status_code == 303
    assert "return &#39;mine-4f2a&#39;" in (await client.get(f"{LESSON}/try")).text


@pytest.fixture
def app_secret() -> str:
    return "test-secret"  # the app fixture's Settings(secret_key=...)
