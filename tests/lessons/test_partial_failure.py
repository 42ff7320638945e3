"""Lesson 5, "When one of N fails": its own facts. The bar every lesson is held to, and its
claims and exercises run for real, are in test_course_bar.py."""

from __future__ import annotations

from lesson_helpers import written_lesson

SLUG = "partial-failure"


def test_visual_has_knobs_for_the_failure_and_the_grouping() -> None:
    knobs = {knob.id: knob for knob in written_lesson(SLUG).visual.examples[0].knobs}
    assert set(knobs["how"].choices) == {"status", "timeout", "connect"}
    assert set(knobs["group"].choices) >= {"gather", "taskgroup"}
    assert "failing" in knobs


def test_the_steps_use_what_the_issue_names() -> None:
    sources = written_lesson(SLUG).sources
    assert "raise_for_status()" in sources["step1_exceptions"]
    assert "return_exceptions=True" in sources["step3_return_exceptions"]
    assert "except* httpx.HTTPStatusError" in sources["step4_taskgroup"]
    assert "asyncio.shield" in sources["step6_shield"]
    assert "status_code=502" in sources["step7_route"]


def test_the_course_places_the_lesson_as_written_via_load_course() -> None:
    from lessons import CONTENT_ROOT
    from lessons.course import load_course

    lesson = written_lesson(SLUG)
    entry = load_course(CONTENT_ROOT, [lesson]).get(SLUG)
    assert entry is not None
    assert entry.written
    assert entry.title == lesson.meta.title


def test_the_room_code_item_is_the_dashboard_example() -> None:
    from loopscope.rooms.items import room_items

    lesson = written_lesson(SLUG)
    [code] = [item for item in room_items(lesson) if item.kind == "example"]
    assert "dashboard.py" in lesson.meta.examples[code.example].file
