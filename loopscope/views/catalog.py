"""View data for the catalog page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from loopscope.storage import Progress
from loopscope.views.common import LessonContext, Resume, resume


@dataclass(frozen=True, slots=True)
class LessonCard:
    slug: str
    title: str
    summary: Markup
    learn_minutes: int
    deep_minutes: int
    total_minutes: int
    prerequisites: tuple[Markup, ...]
    next_topics: tuple[Markup, ...]
    resume: Resume | None


def lesson_cards(
    lessons: tuple[LessonContext, ...], progress: Mapping[str, Progress]
) -> tuple[LessonCard, ...]:
    return tuple(
        LessonCard(
            slug=ctx.slug,
            title=ctx.lesson.meta.title,
            summary=ctx.md.block(ctx.lesson.meta.summary),
            learn_minutes=ctx.minutes["learn"],
            deep_minutes=ctx.minutes["deep"],
            total_minutes=sum(ctx.minutes.values()),
            prerequisites=tuple(ctx.md.inline(item) for item in ctx.lesson.meta.prerequisites),
            next_topics=tuple(ctx.md.inline(item) for item in ctx.lesson.meta.next_topics),
            resume=resume(ctx.lesson, progress.get(ctx.slug)),
        )
        for ctx in lessons
    )
