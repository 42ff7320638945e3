"""lessons/content/course.yaml: the course order, checked against the lesson folders on load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lessons import CONTENT_ROOT, LessonValidationError, load_catalog

TINY = Path(__file__).parents[1] / "lessons" / "fixtures" / "tiny-lesson"
TINY_TITLE = "A tiny lesson"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(TINY, root / "tiny-lesson")
    return root


def write_course(root: Path, text: str) -> None:
    (root / "course.yaml").write_text(text, encoding="utf-8")


def problems(root: Path) -> str:
    with pytest.raises(LessonValidationError) as caught:
        load_catalog(root)
    return str(caught.value)


def test_the_real_course_lists_five_lessons_in_order() -> None:
    course = load_catalog(CONTENT_ROOT).course
    assert course is not None
    assert [entry.slug for entry in course.entries] == [
        "async-http-client-calls",
        "one-client",
        "timeouts-deadlines",
        "fan-out-limits",
        "partial-failure",
    ]
    assert [entry.number for entry in course.entries] == [1, 2, 3, 4, 5]
    written = {entry.slug for entry in course.entries if entry.written}
    assert {"async-http-client-calls", "one-client"} <= written
    assert all(entry.teaches for entry in course.entries)


def test_a_lesson_not_in_the_course_file_is_named(root: Path) -> None:
    write_course(root, "lessons:\n  - slug: other\n    title: Other\n    teaches: Things.\n")
    assert "course.yaml: lessons: the lesson folder 'tiny-lesson' is not in the course" in (
        problems(root)
    )


def test_a_written_lessons_title_must_be_its_own(root: Path) -> None:
    write_course(root, "lessons:\n  - slug: tiny-lesson\n    title: Wrong\n    teaches: Things.\n")
    assert "course.yaml: lessons.0.title: 'Wrong' is not the lesson's own title" in problems(root)


def test_builds_on_names_only_earlier_lessons(root: Path) -> None:
    write_course(
        root,
        f"lessons:\n  - slug: tiny-lesson\n    title: {TINY_TITLE}\n    teaches: T.\n"
        "    builds_on: [later]\n"
        "  - slug: later\n    title: Later\n    teaches: T.\n",
    )
    found = problems(root)
    assert "lessons.0.builds_on.0: 'later' is not a lesson that comes earlier" in found
    assert "(line 5)" in found


def test_an_unknown_key_is_named(root: Path) -> None:
    write_course(
        root,
        f"lessons:\n  - slug: tiny-lesson\n    title: {TINY_TITLE}\n    teaches: T.\n"
        "    teach: typo\n",
    )
    assert "course.yaml: lessons.0.teach: Extra inputs are not permitted (line 5)" in problems(root)


def test_a_course_file_marks_lessons_without_a_folder_as_coming(root: Path) -> None:
    write_course(
        root,
        f"lessons:\n  - slug: tiny-lesson\n    title: {TINY_TITLE}\n    teaches: T.\n"
        "  - slug: soon\n    title: Soon\n    teaches: T.\n    builds_on: [tiny-lesson]\n",
    )
    course = load_catalog(root).course
    assert course is not None
    assert [(e.slug, e.written) for e in course.entries] == [("tiny-lesson", True), ("soon", False)]
    assert course.next_written("tiny-lesson") is None


def test_a_slug_listed_twice_is_named(root: Path) -> None:
    write_course(
        root,
        f"lessons:\n  - slug: tiny-lesson\n    title: {TINY_TITLE}\n    teaches: T.\n"
        f"  - slug: tiny-lesson\n    title: {TINY_TITLE}\n    teaches: T.\n",
    )
    assert "lessons.1.slug: 'tiny-lesson' is listed twice" in problems(root)
