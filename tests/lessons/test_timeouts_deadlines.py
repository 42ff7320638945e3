"""Lesson 3, "Timeouts that mean what you think": its own facts. The bar every lesson is held
to, and its claims and exercises run for real, are in test_course_bar.py."""

from __future__ import annotations

from lesson_helpers import written_lesson

SLUG = "timeouts-deadlines"


def test_the_course_lists_the_lesson_after_one_client_under_its_own_title() -> None:
    from lessons.loader import load_catalog

    course = load_catalog().course
    assert course is not None
    slugs = [entry.slug for entry in course.entries]  # the course's order, not the folders'
    assert slugs.index(SLUG) == slugs.index("one-client") + 1
    assert written_lesson(SLUG).meta.title == "Timeouts that mean what you think"


def test_visual_knobs_rerun_the_example_with_delay_drip_read_timeout_and_deadline() -> None:
    first = written_lesson(SLUG).visual.examples[0]
    assert {knob.id for knob in first.knobs} == {"delay", "every", "read", "deadline"}
    assert first.call_template is not None
    call = first.call_template.format(**{knob.id: knob.default for knob in first.knobs})
    assert call == "fetch(delay=0.5, every=0.5, read=1.0, deadline=4.0)"


def test_the_steps_teach_asyncio_timeout_and_the_504() -> None:
    sources = written_lesson(SLUG).sources
    assert "asyncio.timeout(deadline)" in sources["step5_deadline"]
    assert "except httpx.HTTPError" in sources["step5_deadline"]
    assert "asyncio.timeout_at(deadline)" in sources["step7_route"]
    assert "status_code=504" in sources["step7_route"]
    assert "X-Budget-Ms" in sources["step7_route"]


def test_the_room_code_item_is_the_deadline_example() -> None:
    from loopscope.rooms.items import room_items

    lesson = written_lesson(SLUG)
    [code] = [item for item in room_items(lesson) if item.kind == "example"]
    assert "deadline.py" in lesson.meta.examples[code.example].file
