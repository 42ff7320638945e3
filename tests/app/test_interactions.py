from __future__ import annotations

import httpx
import pytest
from app_helpers import HTMX, TemplateRecorder, client_for, learner_id

from loopscope.storage import Store
from loopscope.views import DeepView, RecallView

pytestmark = pytest.mark.anyio

LESSON = "/lessons/demo-lesson"


async def test_prediction_without_javascript_redirects_to_the_revealed_step(
    client: httpx.AsyncClient, token: str, recorder: TemplateRecorder
) -> None:
    response = await client.post(f"{LESSON}/prompts/p2", data={"choice": "a", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == f"http://testserver{LESSON}/deep#step-s2"
    page = await client.get(response.headers["location"])
    assert "SECRET-BODY-s2" in page.text
    assert "SECRET-BODY-s3" not in page.text
    view = recorder.last.context["view"]
    assert isinstance(view, DeepView)
    step = view.step("s2")
    assert step.revealed
    assert step.prompt is not None
    assert step.prompt.correct is False
    assert [o.id for o in step.prompt.options if o.is_chosen] == ["a"]


async def test_prediction_with_htmx_returns_the_step_and_the_new_scores(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await client.post(
        f"{LESSON}/prompts/p2", data={"choice": "b"}, headers={**HTMX, "X-CSRF-Token": token}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "SECRET-BODY-s2" in response.text
    assert "p2 A is wrong because." in response.text  # every option is explained
    assert 'hx-target="#mode-bar"' in response.text
    assert "1/4" in response.text  # the deep score: one right of two prompts and two myths


async def test_a_boosted_post_is_answered_with_a_redirect(
    client: httpx.AsyncClient, token: str
) -> None:
    headers = {"HX-Request": "true", "HX-Boosted": "true", "HX-Request-Type": "full"}
    response = await client.post(
        f"{LESSON}/prompts/p2", data={"choice": "b", "csrf_token": token}, headers=headers
    )
    assert response.status_code == 303


async def test_double_submit_stores_once_and_first_wins(
    client: httpx.AsyncClient, token: str, store: Store
) -> None:
    for choice in ("b", "a"):
        response = await client.post(
            f"{LESSON}/prompts/p2", data={"choice": choice, "csrf_token": token}
        )
        assert response.status_code == 303
    stored = await store.commitments(learner_id(client), "demo-lesson")
    assert list(stored) == [("prompt", "p2")]
    assert stored["prompt", "p2"].choice == "b"
    assert stored["prompt", "p2"].correct is True


async def test_myth_verdict_reveals_reality(
    client: httpx.AsyncClient, token: str, recorder: TemplateRecorder
) -> None:
    response = await client.post(
        f"{LESSON}/myths/m1", data={"verdict": "yes", "csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "REALITY-m1" in response.text
    assert "WHY-m1" in response.text
    assert "REALITY-m2" not in response.text
    myth = recorder.last.context["view"].myth("m1")
    assert myth.committed
    assert myth.said_holds is True
    assert myth.correct is False


async def test_myth_with_htmx(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(
        f"{LESSON}/myths/m2", data={"verdict": "no"}, headers={**HTMX, "X-CSRF-Token": token}
    )
    assert response.status_code == 200
    assert "REALITY-m2" in response.text
    assert "<html" not in response.text
    assert "Right." in response.text


async def test_quiz_answer_is_scored_and_explained(
    client: httpx.AsyncClient, token: str, recorder: TemplateRecorder
) -> None:
    response = await client.post(
        f"{LESSON}/quiz/r2", data={"choice": "b", "csrf_token": token}, follow_redirects=True
    )
    assert response.url.path.endswith("/recall")
    view = recorder.last.context["view"]
    assert isinstance(view, RecallView)
    assert view.question("r2").correct is True
    assert (view.answered, view.correct) == (1, 1)
    scores = {link.mode: link.score for link in recorder.last.context["page"].modes}
    assert scores["recall"] is not None
    assert scores["recall"].text == "1/3"
    assert "r2 C is wrong too." in response.text


async def test_quiz_answer_with_htmx_updates_the_status(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await client.post(
        f"{LESSON}/quiz/r1", data={"choice": "a"}, headers={**HTMX, "X-CSRF-Token": token}
    )
    assert response.status_code == 200
    assert 'hx-target="#quiz-status"' in response.text
    assert "1 of 3 answered, 0 right" in response.text


async def test_wrong_answers_come_back_first_in_the_next_round(
    client: httpx.AsyncClient, token: str, recorder: TemplateRecorder
) -> None:
    for question, choice in (("r1", "b"), ("r2", "b"), ("r3", "a")):
        await client.post(f"{LESSON}/quiz/{question}", data={"choice": choice, "csrf_token": token})
    response = await client.post(
        f"{LESSON}/quiz-rounds", data={"round": "1", "csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200
    view = recorder.last.context["view"]
    assert view.round == 2
    assert view.questions[0].id == "r3"
    assert view.answered == 0


async def test_starting_a_round_twice_moves_one_round(
    client: httpx.AsyncClient, token: str, store: Store
) -> None:
    await client.post(f"{LESSON}/quiz/r1", data={"choice": "b", "csrf_token": token})
    for _ in range(2):
        await client.post(f"{LESSON}/quiz-rounds", data={"round": "1", "csrf_token": token})
    progress = await store.progress(learner_id(client))
    assert progress["demo-lesson"].quiz_round == 2


async def test_progress_persists_for_the_same_cookie(
    client: httpx.AsyncClient, token: str, recorder: TemplateRecorder
) -> None:
    await client.post(f"{LESSON}/prompts/p3", data={"choice": "b", "csrf_token": token})
    await client.post(f"{LESSON}/quiz/r1", data={"choice": "b", "csrf_token": token})
    async with client_for(recorder) as again:
        again.cookies = client.cookies
        await again.get(f"{LESSON}/why")
        scores = {link.mode: link.score for link in recorder.last.context["page"].modes}
        assert scores["deep"] is not None
        assert scores["deep"].text == "1/4"
        assert scores["recall"] is not None
        assert scores["recall"].text == "1/3"


async def test_continue_where_you_left_off(
    client: httpx.AsyncClient, token: str, recorder: TemplateRecorder
) -> None:
    await client.post(f"{LESSON}/prompts/p3", data={"choice": "b", "csrf_token": token})
    await client.get("/")
    card = recorder.last.context["cards"][0]
    assert card.resume is not None
    assert (card.resume.mode, card.resume.anchor) == ("deep", "step-s3")
    assert "step 3" in (card.resume.item_label or "")
    html = (await client.get(f"{LESSON}/why")).text
    assert f'href="http://testserver{LESSON}/deep#step-s3"' in html
