"""View data for the course: the catalog at ``/`` and ``/lessons``, and the next-lesson link.

Every lesson of the course gets a card in course order; a lesson not written yet is a card
marked "coming", without a link. A written lesson's card says what the learner has done in it,
read from what storage already keeps: modes visited, predictions committed, challenges and
project milestones passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from lessons.course import Course, CourseEntry
from lessons.models import MODES, Lesson
from loopscope.records import Progress
from loopscope.rendering import MarkdownRenderer
from loopscope.views.common import MODE_LABELS, LessonContext, NextLesson, Resume, resume


@dataclass(frozen=True, slots=True)
class CourseContext:
    """The course with the renderer for its Markdown: what ``CourseDep`` gives a route."""

    course: Course
    md: MarkdownRenderer

    @classmethod
    def build(cls, course: Course) -> CourseContext:
        return cls(course, MarkdownRenderer({}))


@dataclass(frozen=True, slots=True)
class LearnerLesson:
    """What is stored about one learner in one lesson, as the course page needs it."""

    progress: Progress | None
    predictions: frozenset[str]  # prompt ids the learner committed to
    passed: frozenset[str]  # places passed: ``challenge/<id>``, ``project/<step id>``


@dataclass(frozen=True, slots=True)
class Tally:
    done: int
    total: int

    @property
    def text(self) -> str:
        return f"{self.done} of {self.total}"


@dataclass(frozen=True, slots=True)
class LessonProgress:
    visited: tuple[str, ...]  # labels of the modes visited, in mode order
    modes: Tally
    predictions: Tally
    challenges: Tally
    milestones: Tally

    @property
    def started(self) -> bool:
        return any(t.done for t in (self.modes, self.predictions, self.challenges, self.milestones))


@dataclass(frozen=True, slots=True)
class CourseLink:
    slug: str
    title: str
    written: bool


@dataclass(frozen=True, slots=True)
class LessonCard:
    """One place in the course. ``written`` lessons link to their page; the others are coming."""

    number: int
    slug: str
    title: str
    written: bool
    teaches: Markup
    prerequisites: tuple[Markup, ...]
    builds_on: tuple[CourseLink, ...]
    learn_minutes: int | None
    total_minutes: int | None
    progress: LessonProgress | None
    resume: Resume | None


@dataclass(frozen=True, slots=True)
class ContinueAt:
    """Where the home page sends a learner: where they stopped, or the first lesson."""

    slug: str
    title: str
    resume: Resume | None  # None: start the lesson at Learn


def lesson_progress(lesson: Lesson, stored: LearnerLesson) -> LessonProgress:
    visited = stored.progress.visited if stored.progress else frozenset()
    prompts = {step.prompt.id for step in lesson.deep.steps if step.prompt is not None}
    challenges = {f"challenge/{c.id}" for c in lesson.challenge.challenges}
    milestones = {f"project/{step.id}" for step in lesson.project.steps}
    return LessonProgress(
        visited=tuple(MODE_LABELS[mode] for mode in MODES if mode in visited),
        modes=Tally(sum(mode in visited for mode in MODES), len(MODES)),
        predictions=Tally(len(prompts & stored.predictions), len(prompts)),
        challenges=Tally(len(challenges & stored.passed), len(challenges)),
        milestones=Tally(len(milestones & stored.passed), len(milestones)),
    )


def course_cards(
    course: CourseContext,
    lessons: Mapping[str, LessonContext],
    stored: Mapping[str, LearnerLesson],
) -> tuple[LessonCard, ...]:
    """A card per lesson of the course, in order; ``stored`` holds the learner's lessons."""
    entries = {entry.slug: entry for entry in course.course.entries}
    return tuple(
        _card(entry, lessons.get(entry.slug), stored.get(entry.slug), entries, course.md)
        for entry in course.course.entries
    )


def _card(
    entry: CourseEntry,
    ctx: LessonContext | None,
    stored: LearnerLesson | None,
    entries: Mapping[str, CourseEntry],
    md: MarkdownRenderer,
) -> LessonCard:
    return LessonCard(
        number=entry.number,
        slug=entry.slug,
        title=entry.title,
        written=ctx is not None,
        teaches=md.inline(entry.teaches),
        prerequisites=tuple(md.inline(item) for item in entry.prerequisites),
        builds_on=tuple(
            CourseLink(slug, entries[slug].title, entries[slug].written) for slug in entry.builds_on
        ),
        learn_minutes=ctx.minutes["learn"] if ctx is not None else None,
        total_minutes=sum(ctx.minutes.values()) if ctx is not None else None,
        progress=(
            lesson_progress(ctx.lesson, stored) if ctx is not None and stored is not None else None
        ),
        resume=resume(ctx.lesson, stored.progress) if ctx is not None and stored else None,
    )


def continue_at(
    course: Course,
    lessons: Mapping[str, LessonContext],
    progress: Mapping[str, Progress],
) -> ContinueAt | None:
    """The lesson the learner touched last, at the place they stopped; or, for a learner with
    no progress, the course's first written lesson. None when no lesson is written."""
    written = [entry for entry in course.entries if entry.written and entry.slug in lessons]
    touched = [progress[e.slug] for e in written if e.slug in progress]
    if touched:
        last = max(touched, key=lambda found: found.updated_at)
        ctx = lessons[last.lesson]
        return ContinueAt(last.lesson, ctx.lesson.meta.title, resume(ctx.lesson, last))
    if not written:
        return None
    return ContinueAt(written[0].slug, written[0].title, None)


def next_lesson(course: Course, slug: str) -> NextLesson | None:
    """The next written lesson after ``slug``; or, if none is written yet, the next to come;
    None at the end of the course."""
    found = course.next_written(slug) or course.next_entry(slug)
    return NextLesson(found.slug, found.title, found.written) if found is not None else None


def course_page(
    course: CourseContext,
    lessons: tuple[LessonContext, ...],
    stored: Mapping[str, LearnerLesson],
    *,
    home: bool,
) -> dict[str, object]:
    """The context of ``catalog.html``: the cards, and on the home page where to continue."""
    by_slug = {ctx.slug: ctx for ctx in lessons}
    progress = {slug: found.progress for slug, found in stored.items() if found.progress}
    return {
        "cards": course_cards(course, by_slug, stored),
        "continue_at": continue_at(course.course, by_slug, progress) if home else None,
        "home": home,
    }
