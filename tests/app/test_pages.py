from __future__ import annotations

import httpx
import pytest
from app_helpers import TemplateRecorder

from lessons.models import MODES, ModeName
from loopscope.views import DeepView, RecallView
from loopscope.views.catalog import LessonCard
from loopscope.web.modepaths import segment_for

pytestmark = pytest.mark.anyio

LESSON = "/lessons/demo-lesson"


def mode_path(mode: ModeName) -> str:
    return LESSON if mode == "learn" else f"{LESSON}/{segment_for(mode)}"


async def test_catalog_lists_the_lessons(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert recorder.last.template == "catalog.html"
    cards = recorder.last.context["cards"]
    assert [card.slug for card in cards] == ["demo-lesson"]
    assert isinstance(cards[0], LessonCard)
    assert cards[0].resume is None


@pytest.mark.parametrize("mode", MODES)
async def test_every_mode_renders(
    client: httpx.AsyncClient, recorder: TemplateRecorder, mode: ModeName
) -> None:
    response = await client.get(mode_path(mode))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "HX-Request" in response.headers["vary"]
    assert recorder.last.template == f"lessons/{mode}.html"
    page = recorder.last.context["page"]
    assert page.mode == mode
    assert [link.mode for link in page.modes] == list(MODES)
    assert all(link.minutes >= 1 for link in page.modes)
    assert [link.current for link in page.modes].count(True) == 1


async def test_deep_renders_every_section(client: httpx.AsyncClient) -> None:
    html = (await client.get(f"{LESSON}/deep")).text
    for needle in (
        "What.", "Core idea.", "Under the hood.", "Design.", "Expert one", "When not one",
        "Production one", "Connection one", "ROOT-CAUSE-pf1", "Take one.", "Async is faster",
        "badge level-foundation", "badge level-expert",
    ):  # fmt: skip
        assert needle in html


async def test_deep_withholds_steps_until_predicted(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    html = (await client.get(f"{LESSON}/deep")).text
    assert "SECRET-BODY-s1" in html  # no prompt: open from the start
    assert "SECRET-BODY-s2" not in html  # not merely hidden: not sent at all
    assert "REALITY-m1" not in html
    view = recorder.last.context["view"]
    assert isinstance(view, DeepView)
    assert [step.revealed for step in view.steps] == [True, False, False]


async def test_recall_shows_cards_and_quiz(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    html = (await client.get(f"{LESSON}/recall")).text
    assert "<details" in html
    assert "BACK-k1" in html
    view = recorder.last.context["view"]
    assert isinstance(view, RecallView)
    assert [q.id for q in view.questions] == ["r1", "r2", "r3"]
    assert view.round == 1
    assert view.answered == 0


async def test_pages_carry_skip_link_landmarks_and_hashed_assets(client: httpx.AsyncClient) -> None:
    html = (await client.get(f"{LESSON}/deep")).text
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'hx-boost:inherited="true"' in html
    assert "/static/app.css?v=" in html
    assert "/static/vendor/htmx-4.0.1.min.js?v=" in html
    assert "https://" not in html  # nothing is loaded from elsewhere


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.json() == {"status": "ok", "lessons": 1}
