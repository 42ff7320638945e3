"""Lesson 2, "One client for the whole app": its own facts. The bar every lesson is held to, and
its claims and exercises run for real, are in test_course_bar.py."""

from __future__ import annotations

from lesson_helpers import written_lesson

SLUG = "one-client"


def test_visual_knobs_choose_the_client_and_keep_alive() -> None:
    first = written_lesson(SLUG).visual.examples[0]
    assert {knob.id for knob in first.knobs} >= {"client", "keep_alive"}


def test_the_testing_step_and_the_project_test_use_respx_and_mock_transport() -> None:
    sources = written_lesson(SLUG).sources
    assert "respx.mock" in sources["step7_testing"]
    assert "httpx.MockTransport" in sources["step7_testing"]
    assert "dependency_overrides[get_client]" in sources["step7_testing"]
    assert "respx.mock" in sources["project_solution"]


def test_a_room_gets_six_quiz_questions_and_the_connections_example() -> None:
    from loopscope.rooms.items import room_items

    lesson = written_lesson(SLUG)
    items = room_items(lesson)
    assert [item.kind for item in items].count("recall") == 6
    [code] = [item for item in items if item.kind == "example"]
    assert "connections.py" in lesson.meta.examples[code.example].file
