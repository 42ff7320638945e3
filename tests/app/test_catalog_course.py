"""The course pages: ``/lessons`` in course order with coming lessons and the learner's
progress, ``/`` continuing where the learner stopped, and the next-lesson link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from app_factories import lesson_data
from app_helpers import TemplateRecorder, client_for, csrf_token, learner_id
from fastapi import FastAPI
from trace_fakes import FakeEngine

from lessons import Catalog, Lesson
from lessons.course import Course, CourseEntry
from loopscope.app import create_app
from loopscope.records import Attempt
from loopscope.settings import Settings
from loopscope.storage import Store
from loopscope.views.catalog import ContinueAt, LessonCard

pytestmark = pytest.mark.anyio

FIRST, SECOND, COMING = "demo-lesson", "second-lesson", "later-lesson"


def _lesson(slug: str, title: str) -> Lesson:
    data = lesson_data()
    data["meta"] = {**data["meta"], "slug": slug, "title": title}
    return Lesson.model_validate(data)


def _entry(number: int, slug: str, title: str, *, written: bool) -> CourseEntry:
    return CourseEntry(
        number=number,
        slug=slug,
        title=title,
        teaches=f"What `{slug}` teaches.",
        prerequisites=("Some **basics**",) if number == 1 else (),
        builds_on=(FIRST,) if number > 1 else (),
        written=written,
    )


@pytest.fixture
def app(settings: Settings, engine: FakeEngine) -> FastAPI:
    # The lessons sort by slug one way, the course orders them another: the page follows the
    # course. The coming lesson sits between the two written ones.
    lessons = (_lesson(FIRST, "First lesson"), _lesson(SECOND, "Second lesson"))
    course = Course(
        (
            _entry(1, SECOND, "Second lesson", written=True),
            _entry(2, COMING, "Later lesson", written=False),
            _entry(3, FIRST, "First lesson", written=True),
        )
    )
    return create_app(settings, catalog=Catalog(lessons, course), engine=engine)


@pytest.fixture
async def client(recorder: TemplateRecorder) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(recorder) as client:
        yield client


def _cards(recorder: TemplateRecorder) -> tuple[LessonCard, ...]:
    cards: tuple[LessonCard, ...] = recorder.last.context["cards"]
    return cards


async def test_the_course_page_lists_lessons_in_course_order_with_coming_ones_unlinked(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    response = await client.get("/lessons")
    assert response.status_code == 200
    assert recorder.last.template == "catalog.html"
    cards = _cards(recorder)
    assert [(c.number, c.slug, c.written) for c in cards] == [
        (1, SECOND, True),
        (2, COMING, False),
        (3, FIRST, True),
    ]
    assert f'/lessons/{SECOND}"' in response.text
    assert f'/lessons/{COMING}"' not in response.text  # coming: named, not linked
    assert "coming" in response.text
    assert "<code>" + FIRST + "</code>" in response.text  # what it teaches, as Markdown
    assert "<strong>basics</strong>" in response.text
    later = cards[1]
    assert [link.slug for link in later.builds_on] == [FIRST]


async def test_a_new_visitor_sees_no_progress_and_is_sent_to_the_first_lesson(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    await client.get("/")
    assert all(card.progress is None for card in _cards(recorder))
    assert recorder.last.context["continue_at"] == ContinueAt(SECOND, "Second lesson", None)


async def test_progress_counts_modes_predictions_challenges_and_milestones(
    client: httpx.AsyncClient, recorder: TemplateRecorder, store: Store
) -> None:
    token = await csrf_token(client, f"/lessons/{FIRST}/deep")
    response = await client.post(
        f"/lessons/{FIRST}/prompts/p2", data={"choice": "a", "csrf_token": token}
    )
    assert response.status_code in (200, 303)
    myth = await client.post(
        f"/lessons/{FIRST}/myths/m1", data={"verdict": "no", "csrf_token": token}
    )
    assert myth.status_code in (200, 303)
    await client.get(f"/lessons/{FIRST}/recall")
    learner = learner_id(client)
    for place in ("challenge/c1", "project/client"):
        await store.save_attempt(
            Attempt(
                id=f"attempt-{place}",
                learner=learner,
                lesson=FIRST,
                place=place,
                passed=True,
                checks=(),
                code="",
                created_at=datetime.now(UTC),
            )
        )

    await client.get("/lessons")
    by_slug = {card.slug: card for card in _cards(recorder)}
    progress = by_slug[FIRST].progress
    assert progress is not None
    assert progress.predictions.text == "1 of 2"  # p2 of the prompts p2 and p3; a myth is none
    assert progress.challenges.text == "1 of 1"
    assert progress.milestones.text == "1 of 1"
    assert "Deep dive" in progress.visited
    assert "Recall" in progress.visited
    assert progress.modes.done == len(progress.visited)
    assert by_slug[SECOND].progress is None  # untouched lesson: nothing to show
    assert "Predictions made" in (await client.get("/lessons")).text


async def test_home_continues_in_the_lesson_touched_last(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    token = await csrf_token(client, f"/lessons/{SECOND}/deep")
    await client.post(f"/lessons/{SECOND}/prompts/p2", data={"choice": "b", "csrf_token": token})
    await client.post(f"/lessons/{FIRST}/prompts/p3", data={"choice": "b", "csrf_token": token})
    await client.get(f"/lessons/{FIRST}/recall")

    response = await client.get("/")
    found = recorder.last.context["continue_at"]
    assert found is not None
    assert found.slug == FIRST  # the first lesson was touched last, whatever the course order
    assert found.resume is not None
    assert found.resume.mode == "recall"
    assert f'/lessons/{FIRST}/recall"' in response.text
    assert "Continue where you stopped" in response.text


async def test_each_lesson_links_to_the_next_written_one(
    client: httpx.AsyncClient, recorder: TemplateRecorder
) -> None:
    response = await client.get(f"/lessons/{SECOND}/why")
    page = recorder.last.context["page"]
    assert page.next_lesson is not None
    assert page.next_lesson.slug == FIRST  # the coming lesson in between is skipped
    assert f'Next in the course: <a href="http://testserver/lessons/{FIRST}">' in response.text

    response = await client.get(f"/lessons/{FIRST}")
    assert recorder.last.context["page"].next_lesson is None  # the end of the course
    assert "Next in the course" not in response.text


async def test_the_last_written_lesson_names_the_next_one_to_come(
    settings: Settings,
) -> None:
    course = Course(
        (
            _entry(1, FIRST, "First lesson", written=True),
            _entry(2, COMING, "Later lesson", written=False),
        )
    )
    app = create_app(settings, catalog=Catalog((_lesson(FIRST, "First lesson"),), course))
    async with app.router.lifespan_context(app):
        recorder = TemplateRecorder(app)
        async with client_for(recorder) as client:
            response = await client.get(f"/lessons/{FIRST}/deep")
    found = recorder.last.context["page"].next_lesson
    assert (found.slug, found.written) == (COMING, False)
    assert "Next in the course: Later lesson" in response.text  # named, not linked
    assert f"/lessons/{COMING}" not in response.text


async def test_without_a_course_file_the_course_is_the_lessons_by_slug(
    settings: Settings, tmp_path: Path
) -> None:
    lessons = (_lesson(SECOND, "Second lesson"), _lesson(FIRST, "First lesson"))
    app = create_app(settings, catalog=Catalog(lessons))
    async with app.router.lifespan_context(app):
        recorder = TemplateRecorder(app)
        async with client_for(recorder) as client:
            await client.get("/lessons")
    assert [card.slug for card in _cards(recorder)] == [FIRST, SECOND]
