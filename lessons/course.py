"""The course: the lessons in the order a learner takes them, written or still to come.

``lessons/content/course.yaml`` lists every lesson of the course, in order:

    lessons:
      - slug: one-client
        title: One client for the whole app
        teaches: Where the AsyncClient is born and where it dies ...
        prerequisites: [FastAPI dependencies]
        builds_on: [async-http-client-calls]

A lesson whose folder exists is *written*; the others are *coming*. The file is checked against
the lesson folders when it loads: every folder must have its entry (a lesson the course does not
list would be unreachable from the course page), a written lesson's title must be its own, and
``builds_on`` may only name lessons that come earlier. Problems name the file and the key, like
the lesson loader's.

Without a course file (a content root made for a test), the course is the written lessons in
slug order, with no prerequisites.

>>> course = Course.of_lessons(())
>>> course.entries
()
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from pydantic import Field, ValidationError

from lessons.documents import Document, read_yaml
from lessons.errors import LessonValidationError, Problem
from lessons.models import Lesson
from lessons.models_base import Markdown, Model
from lessons.walk import dotted

COURSE_FILE: Final = "course.yaml"


class CourseEntryFile(Model):
    """One lesson of the course as ``course.yaml`` lists it."""

    slug: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str = Field(min_length=1)
    teaches: Markdown = Field(min_length=1)  # what the learner comes away with, one or two lines
    prerequisites: tuple[str, ...] = ()  # what to know first, beyond the course's own lessons
    builds_on: tuple[str, ...] = ()  # slugs of earlier lessons of the course


class CourseFile(Model):
    lessons: tuple[CourseEntryFile, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class CourseEntry:
    """One place in the course; ``written`` when its lesson folder exists."""

    number: int  # 1-based place in the course
    slug: str
    title: str
    teaches: str
    prerequisites: tuple[str, ...]
    builds_on: tuple[str, ...]
    written: bool


@dataclass(frozen=True, slots=True)
class Course:
    entries: tuple[CourseEntry, ...]

    @classmethod
    def of_lessons(cls, lessons: Iterable[Lesson]) -> Course:
        """The course a content root without ``course.yaml`` gets: its lessons by slug."""
        ordered = sorted(lessons, key=lambda lesson: lesson.slug)
        return cls(
            tuple(
                CourseEntry(
                    number=number,
                    slug=lesson.slug,
                    title=lesson.meta.title,
                    teaches=lesson.meta.summary,
                    prerequisites=lesson.meta.prerequisites,
                    builds_on=(),
                    written=True,
                )
                for number, lesson in enumerate(ordered, start=1)
            )
        )

    def get(self, slug: str) -> CourseEntry | None:
        return next((entry for entry in self.entries if entry.slug == slug), None)

    def next_written(self, slug: str) -> CourseEntry | None:
        """The first written lesson after ``slug`` in the course, or None at the end."""
        later = self.entries[self._index(slug) + 1 :] if self.get(slug) else ()
        return next((entry for entry in later if entry.written), None)

    def next_entry(self, slug: str) -> CourseEntry | None:
        """The entry right after ``slug``, written or coming, or None at the end."""
        later = self.entries[self._index(slug) + 1 :] if self.get(slug) else ()
        return later[0] if later else None

    def _index(self, slug: str) -> int:
        return next(i for i, entry in enumerate(self.entries) if entry.slug == slug)


def load_course(root: Path, lessons: Iterable[Lesson]) -> Course:
    """The course of the content ``root``, checked against its loaded ``lessons``."""
    lessons = tuple(lessons)
    path = root / COURSE_FILE
    if not path.is_file():
        return Course.of_lessons(lessons)
    document = read_yaml(path, COURSE_FILE)
    try:
        parsed = CourseFile.model_validate(document.data)
    except ValidationError as exc:
        raise LessonValidationError(
            tuple(
                Problem(
                    COURSE_FILE,
                    dotted(item["loc"]),
                    item["msg"].removeprefix("Value error, "),
                    document.line_of(item["loc"]),
                )
                for item in exc.errors(include_url=False)
            )
        ) from None
    by_slug = {lesson.slug: lesson for lesson in lessons}
    problems = list(_problems(parsed, by_slug, document))
    if problems:
        raise LessonValidationError(tuple(problems))
    return Course(
        tuple(
            CourseEntry(
                number=number,
                slug=entry.slug,
                title=entry.title,
                teaches=entry.teaches,
                prerequisites=entry.prerequisites,
                builds_on=entry.builds_on,
                written=entry.slug in by_slug,
            )
            for number, entry in enumerate(parsed.lessons, start=1)
        )
    )


def _problems(
    course: CourseFile, lessons: dict[str, Lesson], document: Document
) -> Iterator[Problem]:
    def problem(path: tuple[str | int, ...], message: str) -> Problem:
        return Problem(COURSE_FILE, dotted(path), message, document.line_of(path))

    seen: list[str] = []
    for index, entry in enumerate(course.lessons):
        path: tuple[str | int, ...] = ("lessons", index)
        if entry.slug in seen:
            yield problem((*path, "slug"), f"{entry.slug!r} is listed twice")
        lesson = lessons.get(entry.slug)
        if lesson is not None and lesson.meta.title != entry.title:
            yield problem(
                (*path, "title"),
                f"{entry.title!r} is not the lesson's own title {lesson.meta.title!r}",
            )
        for number, slug in enumerate(entry.builds_on):
            if slug not in seen:
                yield problem(
                    (*path, "builds_on", number),
                    f"{slug!r} is not a lesson that comes earlier in the course",
                )
        seen.append(entry.slug)
    for slug in sorted(set(lessons) - set(seen)):
        yield problem(("lessons",), f"the lesson folder {slug!r} is not in the course")
