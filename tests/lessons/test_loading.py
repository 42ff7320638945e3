from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from lesson_helpers import FIXTURES, TINY, edit_yaml

from lessons import CONTENT_ROOT, Catalog, LessonFileError, load_catalog, load_lesson


def test_minimal_fixture_lesson_loads() -> None:
    lesson = load_lesson(FIXTURES / TINY)

    assert lesson.slug == TINY
    assert lesson.learn.title == "Learn the tiny lesson"
    assert lesson.learn.body.startswith("An async client starts a request")
    assert lesson.deep.steps[0].prompt is not None
    assert lesson.try_.example == "fetch"
    assert set(lesson.sources) == {"fetch", "no_await", "fragment"}
    assert "async def fetch_data" in lesson.sources["fetch"]


def test_content_root_is_the_lessons_content_folder() -> None:
    assert Path(__file__).resolve().parents[2] / "lessons" / "content" == CONTENT_ROOT


def test_catalog_orders_lessons_by_slug_and_finds_them(content_root: Path) -> None:
    other = content_root / "another-lesson"
    shutil.copytree(content_root / TINY, other)
    edit_yaml(other / "lesson.yaml", lambda meta: meta.update(slug="another-lesson"))
    (content_root / ".hidden").mkdir()
    (content_root / "__pycache__").mkdir()

    catalog = load_catalog(content_root)

    assert [lesson.slug for lesson in catalog.lessons] == ["another-lesson", TINY]
    found = catalog.get(TINY)
    assert found is not None
    assert found.slug == TINY
    assert catalog.get("no-such-lesson") is None


def test_catalog_is_frozen(content_root: Path) -> None:
    catalog = load_catalog(content_root)

    with pytest.raises(dataclasses.FrozenInstanceError):
        catalog.lessons = ()  # type: ignore[misc]
    assert isinstance(catalog, Catalog)


def test_catalog_fails_on_a_broken_lesson(content_root: Path) -> None:
    (content_root / TINY / "why.yaml").unlink()

    with pytest.raises(LessonFileError, match=r"^tiny-lesson/why.yaml: file is missing$"):
        load_catalog(content_root)


def test_catalog_fails_without_a_content_folder(tmp_path: Path) -> None:
    with pytest.raises(LessonFileError, match="content folder is missing"):
        load_catalog(tmp_path / "nowhere")
