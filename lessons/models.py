"""Typed, frozen records for one lesson source.

A lesson is a folder under ``lessons/content/<slug>/``:

    lesson.yaml        LessonMeta: title, summary, the examples registry
    learn.md           front matter (LearnFrontMatter) + Markdown body
    why.yaml           WhyMode
    deep.yaml          DeepMode
    visual.yaml        VisualMode
    try.yaml           TryMode
    challenge.yaml     ChallengeMode
    project.yaml       ProjectMode
    recall.yaml        RecallMode
    perf.yaml          PerfMode
    examples/*.py      real code, run by the test suite and by ``loopscope lessons check``

Prose fields are Markdown. Code never appears in prose by copy: a fenced block whose info string
is ``example NAME`` is replaced by the example file registered under NAME in lesson.yaml, e.g.

    ```example canonical
    ```

Every model forbids unknown keys, so a typo in a lesson file is an error naming the file and key.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from lessons.exercise_checks import Checked
from lessons.facts import FACTS, unknown_facts
from lessons.models_base import ItemId as ItemId
from lessons.models_base import Markdown as Markdown
from lessons.models_base import Model as Model

Level = Literal["Foundation", "Intermediate", "Advanced", "Expert"]
ModeName = Literal[
    "learn", "why", "deep", "visual", "try", "challenge", "project", "recall", "perf"
]
MODES: tuple[ModeName, ...] = (
    "learn",
    "why",
    "deep",
    "visual",
    "try",
    "challenge",
    "project",
    "recall",
    "perf",
)
Slug = str


# --- Examples and the evidence that backs a claim ---------------------------------------------


class Example(Model):
    """One real ``.py`` file of the lesson and how to run it."""

    file: str = Field(pattern=r"^examples/[a-z0-9_]+\.py$")
    title: str
    # Expression evaluated in the file's namespace that gives an awaitable.
    call: str
    # Dotted expressions tracked beside the locals, e.g. ``response.text``.
    watch: tuple[str, ...] = ()
    # Exception type name this example is meant to end with (e.g. the missing-await example).
    expect_error: str | None = None
    # Shown but never run (e.g. a fragment that is deliberately wrong on purpose and unrunnable).
    runnable: bool = True


class Expectation(Model):
    """What a real run must show for a claim to hold. Every field given is checked.

    Facts about requests are read from the trace's analysed requests: a request "went out" when
    it went through httpcore's connection phases (a real socket); a request answered in-process
    by ``httpx.ASGITransport`` has none and counts for none of them.
    """

    raises: str | None = None  # exception type name, e.g. "AttributeError"
    no_error: bool | None = None
    returns: str | None = None  # the whole repr of the returned value, compared untruncated
    returns_contains: str | None = None
    warns_contains: str | None = None  # e.g. "was never awaited"
    tcp_connects: int | None = Field(default=None, ge=0)  # TCP connections opened
    connect_attempts: int | None = Field(default=None, ge=0)  # TCP connects tried, failed too
    connections_reused: int | None = Field(default=None, ge=0)  # requests on a pooled connection
    upstream_requests: int | None = Field(default=None, ge=0)  # requests that went out
    requests_overlap: bool | None = None  # two requests that went out were in flight at once
    # A code fragment: the loop was held over 50 ms by a line of the run's file holding it.
    blocked_at: str | None = Field(default=None, min_length=1)
    # A code fragment: the loop was never held over 50 ms at a line holding it.
    free_at: str | None = Field(default=None, min_length=1)
    blocked: bool | None = None  # any stall at all, client builds included; prefer blocked_at
    max_in_flight: int | None = Field(default=None, ge=0)  # most requests on the wire at once

    def named(self) -> tuple[str, ...]:
        """The checks this expectation names, in field order."""
        return tuple(name for name, value in self if value is not None)


class Counter(Model):
    """A variant the claim must reject, run and held to the same expectation.

    Either a registered ``example`` (its call, or ``call``) or a ``file`` beside the examples
    with its own ``call``. ``changes`` says in a few words what the variant does differently.
    """

    example: str | None = None
    file: str | None = Field(default=None, pattern=r"^examples/[a-z0-9_]+\.py$")
    call: str | None = None
    changes: str = Field(min_length=1)
    # The facts this variant flips: exactly these checks of ``expect`` (or ``faster_than``) must
    # fail on it, and no other. ``lessons check`` reports a counter-example without it.
    rejects_on: tuple[str, ...] = ()

    @field_validator("rejects_on", mode="before")
    @classmethod
    def _one_name_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_source(self) -> Counter:
        if (self.example is None) == (self.file is None):
            raise ValueError("a counter-example names either an example or a file, not both")
        if self.file is not None and self.call is None:
            raise ValueError("a counter-example file needs a call")
        return self


class Evidence(Model):
    """A run that backs a claim, and the counter-examples the same check must reject.

    The example (optionally with another call) must show ``expect``; every counter-example run
    must fail it on one of the checks ``expect`` names (or on ``faster_than``). A counter-example
    that passes, crashes or is stopped proves that the check could not fail, and is a defect.
    """

    example: str
    call: str | None = None
    expect: Expectation
    # Optional comparison: this run must be at least `factor` times faster than that one.
    faster_than: Comparison | None = None
    counter: tuple[Counter, ...] = Field(min_length=1)
    # What this run's outcome decides about the part that holds it: a question's answer (an
    # option id), or a myth's verdict (true: the claim holds). ``lessons check`` compares it with
    # the part's ``answer`` or ``holds``.
    decides: str | bool | None = None
    # Phrases of the part's own text, with {fact} placeholders filled from what the run measured
    # (see ``lessons.facts``): each filled phrase must appear in the text, word for word.
    says: tuple[str, ...] = ()

    @field_validator("counter", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return _one_or_many(value)

    @model_validator(mode="after")
    def _names_a_check(self) -> Evidence:
        if not self.expect.named() and self.faster_than is None:
            raise ValueError("expect names no check, so no counter-example could fail it")
        known = {*self.expect.named(), *(("faster_than",) if self.faster_than else ())}
        for index, counter in enumerate(self.counter):
            unknown = [name for name in counter.rejects_on if name not in known]
            if unknown:
                raise ValueError(
                    f"counter.{index}.rejects_on names {', '.join(unknown)}, which expect does "
                    f"not check (it checks {', '.join(sorted(known))})"
                )
        for phrase in self.says:
            bad = unknown_facts(phrase)
            if bad:
                raise ValueError(
                    f"says {phrase!r} names no measured fact {', '.join(bad)} "
                    f"(known: {', '.join(FACTS)})"
                )
        return self


class Comparison(Model):
    example: str
    call: str | None = None
    factor: float = Field(gt=1.0)


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, dict) else value


# One Evidence, or a list of them, for a part that makes more than one claim.
EvidenceList = Annotated[tuple[Evidence, ...], BeforeValidator(_one_or_many)]


# --- Questions --------------------------------------------------------------------------------


class Option(Model):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    text: Markdown
    # Why this option is right or wrong; shown after answering.
    explanation: Markdown


class Question(Model):
    """A multiple-choice question with an explanation for every option."""

    id: ItemId = Field(pattern=r"^[a-z0-9-]+$")
    question: Markdown
    options: tuple[Option, ...] = Field(min_length=2)
    answer: str
    hint: Markdown | None = None
    # 1-based rows of the lesson's traced execution table that the hint points at.
    hint_steps: tuple[int, ...] = ()
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> Question:
        ids = [option.id for option in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"option ids repeat in question {self.id!r}")
        if self.answer not in ids:
            raise ValueError(f"answer {self.answer!r} is not one of the options {ids}")
        return self


# --- lesson.yaml ------------------------------------------------------------------------------


class LessonMeta(Model):
    slug: Slug = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    summary: Markdown
    prerequisites: tuple[str, ...] = ()
    next_topics: tuple[str, ...] = ()
    # The example that Learn and Visual open with.
    canonical_example: str
    examples: dict[str, Example]

    @model_validator(mode="after")
    def _canonical_exists(self) -> LessonMeta:
        if self.canonical_example not in self.examples:
            raise ValueError(f"canonical_example {self.canonical_example!r} is not in examples")
        return self


# --- learn.md ---------------------------------------------------------------------------------


class LearnFrontMatter(Model):
    title: str
    evidence: EvidenceList = ()  # runs that back the body's own sentences


class LearnMode(Model):
    title: str
    body: Markdown
    evidence: EvidenceList = ()


# --- why.yaml ---------------------------------------------------------------------------------


class WhyMode(Model):
    big_idea: Markdown
    scenario: Markdown
    problem: Markdown
    solution: Markdown
    before: str  # example name
    after: str  # example name
    before_after_note: Markdown
    real_life: Markdown
    takeaways: tuple[str, ...] = Field(min_length=3)
    evidence: EvidenceList = ()


# --- deep.yaml --------------------------------------------------------------------------------


class Overview(Model):
    what: Markdown
    why_it_matters: Markdown
    where_it_fits: Markdown


class MentalModel(Model):
    core_idea: str
    analogy: Markdown
    diagram: tuple[str, ...] = Field(min_length=2)  # boxes of a left-to-right flow


class Prompt(Question):
    """A prediction the learner commits to before the step is revealed."""


class BuildStep(Model):
    id: ItemId = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    level: Level
    concept: Markdown
    explanation: Markdown
    example: str
    result: Markdown  # the observable result of running the example
    insight: str
    prompt: Prompt | None = None
    evidence: EvidenceList = ()


class Myth(Model):
    id: ItemId = Field(pattern=r"^[a-z0-9-]+$")
    claim: str
    holds: bool  # the verdict: does the claim hold? (all four of lesson one: no)
    reality: Markdown
    why: Markdown
    evidence: EvidenceList = ()


class Titled(Model):
    title: str
    body: Markdown
    evidence: EvidenceList = ()


class Pitfall(Model):
    id: ItemId = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    wrong: str  # example name
    right: str  # example name
    root_cause: Markdown
    evidence: EvidenceList = ()


class DeepMode(Model):
    overview: Overview
    mental_model: MentalModel
    steps: tuple[BuildStep, ...] = Field(min_length=1)
    under_the_hood: Markdown
    under_the_hood_diagram: tuple[str, ...] = ()
    design: Markdown
    myths: tuple[Myth, ...]
    expert_zone: tuple[Titled, ...]
    when_not: tuple[Titled, ...]
    production: tuple[Titled, ...]
    connections: tuple[Titled, ...]
    pitfalls: tuple[Pitfall, ...]
    takeaways: tuple[str, ...] = Field(min_length=1)


# --- visual.yaml ------------------------------------------------------------------------------


class ReferenceRow(Model):
    """One row of the documented execution table that a real trace is held against."""

    action: str
    evaluation: str
    result: str


class KeyMoment(Model):
    question: str
    answer: Markdown
    steps: tuple[int, ...] = ()  # rows of the traced table this moment is about
    evidence: EvidenceList = ()


class Knob(Model):
    """A control that reruns an example for real with other arguments or another file."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    # choice: a radio group (mutually exclusive what-ifs); its values may name variants
    kind: Literal["range", "select", "choice", "toggle"]
    help: Markdown = ""
    # range
    min: float | None = None
    max: float | None = None
    step: float | None = None
    # select and choice: value -> label
    choices: dict[str, str] = Field(default_factory=dict)
    default: str


class VisualExample(Model):
    example: str
    intro: Markdown = ""
    # Call template with {knob_id} placeholders, e.g. 'fetch_data("https://api.example.com/delay/{latency}")'
    call_template: str | None = None
    knobs: tuple[Knob, ...] = ()
    # the what-ifs: a toggle knob's id (when on) or a choice knob's value (when chosen) -> the
    # example to run instead
    variants: dict[str, str] = Field(default_factory=dict)


class VisualMode(Model):
    example: str  # the canonical example traced at the top of the page
    concept_flow: tuple[str, ...] = Field(min_length=2)
    reference_table: tuple[ReferenceRow, ...] = Field(min_length=1)
    variable_notes: Markdown
    key_moments: tuple[KeyMoment, ...]
    quiz: tuple[Question, ...]
    snapshot: tuple[str, ...] = Field(min_length=1)
    transcript_intro: Markdown = ""
    examples: tuple[VisualExample, ...] = ()
    # Runs that back the mode's own notes (e.g. ``variable_notes``).
    evidence: EvidenceList = ()


# --- try / challenge / project / perf -----------------------------------------------------------


class Suggestion(Model):
    """Something to try in the editor, with the runs of the edited code that show it works."""

    text: Markdown
    tried: tuple[Evidence, ...] = Field(min_length=1)


class TryMode(Model):
    intro: Markdown
    example: str
    suggestions: tuple[Suggestion, ...]


class Challenge(Checked):
    """An exercise: the learner edits ``starter`` until every check passes on real runs."""

    id: ItemId = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    task: Markdown
    starter: str  # example name
    solution: str  # example name, the reference that passes
    # Runs that back a fact the task or check texts state (``says``; see lessons.statements).
    evidence: EvidenceList = ()


class ChallengeMode(Model):
    intro: Markdown
    challenges: tuple[Challenge, ...]


class ProjectStep(Checked):
    """A milestone of the project, checked on runs of the learner's whole app file."""

    id: ItemId = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    task: Markdown
    # Runs that back a fact the task or check texts state (``says``; see lessons.statements).
    evidence: EvidenceList = ()


class ProjectMode(Model):
    title: str
    goal: Markdown
    starter: str  # example name: the file the learner starts from
    steps: tuple[ProjectStep, ...] = Field(min_length=1)
    solution: str  # example name


class PerfComparison(Model):
    id: ItemId = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    claim: Markdown
    slow: Evidence
    fast: Evidence
    # What the page measures and shows for each side.
    metric: Literal["wall_ms", "tcp_connects", "blocked_ms"]


class PerfMode(Model):
    intro: Markdown
    comparisons: tuple[PerfComparison, ...]


# --- recall.yaml ------------------------------------------------------------------------------


class Card(Model):
    id: ItemId = Field(pattern=r"^[a-z0-9-]+$")
    front: Markdown
    back: Markdown
    evidence: EvidenceList = ()


class RecallMode(Model):
    cards: tuple[Card, ...] = Field(min_length=1)
    quiz: tuple[Question, ...] = Field(min_length=1)


# --- the whole lesson -------------------------------------------------------------------------


class Lesson(Model):
    """Everything one lesson folder holds, validated; example sources are loaded text."""

    meta: LessonMeta
    learn: LearnMode
    why: WhyMode
    deep: DeepMode
    visual: VisualMode
    try_: TryMode
    challenge: ChallengeMode
    project: ProjectMode
    recall: RecallMode
    perf: PerfMode
    # example name -> source text of its file
    sources: dict[str, str]

    @property
    def slug(self) -> str:
        return self.meta.slug
