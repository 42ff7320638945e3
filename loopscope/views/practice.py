"""View records for the pages where learners write code: Try, Challenge and Project.

Routes pass ready data (the lesson, the learner's draft, an attempt, URLs); these functions
only shape it for ``templates/lessons/{try,challenge,project,checked,replay}.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from lessons.exercise_checks import Checked, ExerciseCheck
from lessons.models import Challenge, ProjectStep, Suggestion
from loopscope.records import Attempt
from loopscope.rendering import MarkdownRenderer
from loopscope.views.common import LessonContext
from visualizer import Trace

# A call that reaches into the engine to drive the learner's code (start their app, hand their
# helper a client) is how a check runs, not something the learner wrote or needs to read.
_ENGINE_CALL = "__import__("


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
    draft_url: str | None = None  # where the editor saves the draft as the learner types
    error_on_call: bool = False  # the error is about the call field, not the code

    @property
    def disabled(self) -> bool:
        return self.off_reason is not None

    @property
    def call_shown(self) -> str | None:
        """The call a check runs, if it is one the learner could have written."""
        return None if _ENGINE_CALL in self.call else self.call


@dataclass(frozen=True, slots=True)
class StoppedEarly:
    """A run that ended before the first step of the learner's code: there is nothing to replay.

    The usual cause is the call itself, e.g. ``fetch_data()`` without its argument: Python
    raises ``TypeError`` while making the coroutine, before any line of the file runs.
    """

    error_type: str | None
    message: str
    returned: str | None


def stopped_early(trace: Trace) -> StoppedEarly | None:
    """``None`` when the run has steps to replay; else what ended it."""
    if trace.steps:
        return None
    if trace.error is not None:
        return StoppedEarly(trace.error.type, trace.error.message, None)
    if trace.stopped is not None:
        return StoppedEarly(None, f"the run passed its {trace.stopped} limit", None)
    return StoppedEarly(None, "no line of your file ran", trace.result)


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
    finished: bool = False  # the last of the project's milestones to pass: the project is done


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

    @property
    def finished(self) -> bool:
        return bool(self.items) and all(item.passed for item in self.items)


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
    replay_url: Callable[[str, int | None, str], str],
    back: tuple[str, str],
    finished: bool = False,
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
            url = replay_url(seen.run_id, seen.step, check.id)
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
        finished=finished,
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


# What each kind of check reads in a run, told as where to look on the replay's step.
LOOK_AT = {
    "returns": "the value your call returned, under the player, and the variables at this step",
    "wall_time": "the timeline: how long the loop waited, and whether the requests overlap",
    "in_flight": "the timeline at this step: the requests drawn side by side were in flight"
    " at the same time",
    "tcp_connects": "the connections opened: a request without a “connect” phase reused one",
    "clients": "the line that makes the client, and the client in the variables: how many were"
    " made, with which timeout, and whether each was closed",
    "raises": "the exception the run ended with, and the line that raised it",
    "caught": "the line that caught the exception, and the exception's type",
    "stalls": "the highlighted line: while it ran, nothing else on the event loop could",
    "source": "your code itself: this check reads the source, not the run",
}


@dataclass(frozen=True, slots=True)
class ReplayNote:
    """Why the learner is on this replay: the check that sent them, and what shows it here."""

    check_id: str
    check_text: Markup
    look_at: str
    step: int


def replay_note(md: MarkdownRenderer, check: ExerciseCheck, step: int) -> ReplayNote:
    return ReplayNote(check.id, md.inline(check.text), LOOK_AT.get(check.kind, "this step"), step)
