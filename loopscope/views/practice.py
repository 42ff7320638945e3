"""View records for the pages where learners write code: Try, Challenge and Project.

Routes pass ready data (the lesson, the learner's draft, an attempt, URLs); these functions
only shape it for ``templates/lessons/{try,challenge,project,checked,replay}.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from lessons.expectations import Checked
from lessons.models import Challenge, ProjectStep, Suggestion
from loopscope.rendering import MarkdownRenderer
from loopscope.storage.work import Attempt
from loopscope.views.common import LessonContext


@dataclass(frozen=True, slots=True)
class EditorView:
    """The code form: a plain textarea that the vendored CodeMirror enhances."""

    action: str
    code: str
    call: str
    call_editable: bool
    submit_label: str
    off_reason: str | None  # the sandbox cannot start here: the form is switched off
    error: str | None = None
    error_line: int | None = None

    @property
    def disabled(self) -> bool:
        return self.off_reason is not None


@dataclass(frozen=True, slots=True)
class ExampleChoice:
    name: str
    title: str
    url: str
    current: bool


@dataclass(frozen=True, slots=True)
class SuggestionView:
    text: Markup
    open_url: str | None  # the edited version, to load into the editor
    open_title: str | None


@dataclass(frozen=True, slots=True)
class TryView:
    intro: Markup
    suggestions: tuple[SuggestionView, ...]
    examples: tuple[ExampleChoice, ...]
    editor: EditorView


@dataclass(frozen=True, slots=True)
class CheckRow:
    id: str
    text: Markup
    passed: bool | None  # None: not checked yet
    detail: str
    hidden: bool
    replay_url: str | None  # the replay step that shows what the check saw
    step: int | None


@dataclass(frozen=True, slots=True)
class ExerciseView:
    kind: str  # "challenge" or "project"
    id: str
    title: Markup
    task: Markup
    passed_before: bool
    checks: tuple[CheckRow, ...]
    hidden_runs: int
    editor: EditorView
    attempt_passed: bool | None
    back_url: str
    back_label: str


@dataclass(frozen=True, slots=True)
class ExerciseLink:
    id: str
    title: Markup
    url: str
    passed: bool
    checks: int


@dataclass(frozen=True, slots=True)
class ExerciseListView:
    intro: Markup
    items: tuple[ExerciseLink, ...]
    solution: Markup | None  # the project's reference, once every milestone passed


def try_view(
    ctx: LessonContext,
    editor: EditorView,
    current_example: str | None,
    example_url: Callable[[str], str],
) -> TryView:
    lesson, md = ctx.lesson, ctx.md
    runnable = [name for name, ex in lesson.meta.examples.items() if ex.runnable]
    # The lesson's own examples first (not the challenge and project files, which are answers).
    shown = [n for n in runnable if not n.startswith(("challenge_", "project_"))]
    return TryView(
        intro=md.block(lesson.try_.intro),
        suggestions=tuple(_suggestion(ctx, s, example_url) for s in lesson.try_.suggestions),
        examples=tuple(
            ExampleChoice(n, lesson.meta.examples[n].title, example_url(n), n == current_example)
            for n in shown
        ),
        editor=editor,
    )


def _suggestion(
    ctx: LessonContext, suggestion: Suggestion, example_url: Callable[[str], str]
) -> SuggestionView:
    edited = [e.example for e in suggestion.tried if e.example != ctx.lesson.try_.example]
    name = edited[-1] if edited else None
    return SuggestionView(
        text=ctx.md.inline(suggestion.text),
        open_url=example_url(name) if name is not None else None,
        open_title=ctx.lesson.meta.examples[name].title if name is not None else None,
    )


def exercise_view(
    md: MarkdownRenderer,
    kind: str,
    item: Challenge | ProjectStep,
    editor: EditorView,
    *,
    passed_before: bool,
    attempt: Attempt | None,
    replay_url: Callable[[str, int | None], str],
    back: tuple[str, str],
) -> ExerciseView:
    """One challenge or milestone: its task, its checks (with an attempt's results, if any)."""
    hidden = {run.id for run in item.runs if run.hidden}
    outcomes = {c.id: c for c in attempt.checks} if attempt is not None else {}
    rows = []
    for check in item.checks:
        seen = outcomes.get(check.id)
        run = getattr(check, "run", None)
        is_hidden = run in hidden
        url = None
        if seen is not None and seen.run_id is not None and not is_hidden:
            url = replay_url(seen.run_id, seen.step)
        rows.append(
            CheckRow(
                id=check.id,
                text=md.inline(check.text),
                passed=seen.passed if seen is not None else None,
                detail=seen.detail if seen is not None else "",
                hidden=is_hidden,
                replay_url=url,
                step=seen.step if seen is not None else None,
            )
        )
    return ExerciseView(
        kind=kind,
        id=item.id,
        title=md.inline(item.title),
        task=md.block(item.task),
        passed_before=passed_before,
        checks=tuple(rows),
        hidden_runs=len(hidden),
        editor=editor,
        attempt_passed=attempt.passed if attempt is not None else None,
        back_url=back[0],
        back_label=back[1],
    )


def exercise_list(
    md: MarkdownRenderer,
    intro: str,
    items: tuple[tuple[str, Checked, str], ...],
    passed: frozenset[str],
    url: Callable[[str], str],
    solution: Markup | None = None,
) -> ExerciseListView:
    """``items``: (place, exercise, title) for each challenge or milestone, in order."""
    links = tuple(
        ExerciseLink(
            id=place.rsplit("/", 1)[-1],
            title=md.inline(title),
            url=url(place.rsplit("/", 1)[-1]),
            passed=place in passed,
            checks=len(checked.checks),
        )
        for place, checked, title in items
    )
    everything = bool(links) and all(link.passed for link in links)
    return ExerciseListView(md.block(intro), links, solution if everything else None)
