"""The items a host can open in a room: the lesson's interactive items, in teaching order.

    prompt:<id>   a Deep prediction (multiple choice)
    myth:<id>     a Deep myth: does the claim hold? (yes / no)
    example:<name> "run this example": one recorded trace shown to everyone (no answer)
    visual:<id>   a question of Visual's quiz (shown with the traced run's table it asks about)
    recall:<id>   a question of Recall's quiz
    try:<name>    Try: every learner runs their own edit of the example on their device
    challenge:<id> a Challenge: every learner checks their own code against its checks

Item keys carry their kind, so a Visual and a Recall question with the same id stay apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lessons import UnknownItem, UnknownOption, grade, grade_myth
from lessons.models import Challenge, Lesson, Myth, Question

ItemKind = Literal["prompt", "myth", "example", "visual", "recall", "try", "challenge"]
ITEM_KEY_PATTERN = r"^(prompt|myth|example|visual|recall|try|challenge):[a-z0-9_-]{1,64}$"
MYTH_CHOICES: tuple[tuple[str, str], ...] = (("yes", "Yes, it holds"), ("no", "No, it does not"))

KIND_LABELS: dict[ItemKind, str] = {
    "prompt": "Deep prediction",
    "myth": "Myth",
    "example": "Run this example",
    "visual": "Visual question",
    "recall": "Quiz question",
    "try": "Try it",
    "challenge": "Challenge",
}


@dataclass(frozen=True, slots=True)
class RoomItem:
    key: str
    kind: ItemKind
    number: int  # 1-based within its kind
    title: str  # plain text, short
    question: Question | None = None
    myth: Myth | None = None
    example: str | None = None  # the run shown (example, visual) or the starter code (try)
    challenge: Challenge | None = None
    task: str | None = None  # Markdown: what a code item asks the learners to do

    @property
    def label(self) -> str:
        return f"{KIND_LABELS[self.kind]} {self.number}"

    @property
    def answerable(self) -> bool:
        """Whether learners answer it by choosing an option."""
        return self.question is not None or self.myth is not None

    @property
    def code(self) -> Literal["try", "challenge"] | None:
        """Whether learners run (try) or check (challenge) their own code on it."""
        if self.kind == "try" or self.kind == "challenge":
            return self.kind
        return None

    @property
    def shows_run(self) -> bool:
        """Whether opening it records (or reuses) a run of ``example`` to show everyone."""
        return self.example is not None and self.kind in ("example", "visual")

    @property
    def choices(self) -> tuple[str, ...]:
        """The ids a learner may answer with (empty for an example)."""
        if self.question is not None:
            return tuple(option.id for option in self.question.options)
        if self.myth is not None:
            return tuple(choice for choice, _ in MYTH_CHOICES)
        return ()


def room_items(lesson: Lesson) -> tuple[RoomItem, ...]:
    items: list[RoomItem] = []
    prompts = [step for step in lesson.deep.steps if step.prompt is not None]
    for number, step in enumerate(prompts, start=1):
        assert step.prompt is not None
        items.append(
            RoomItem(f"prompt:{step.prompt.id}", "prompt", number, step.title, step.prompt)
        )
    for number, myth in enumerate(lesson.deep.myths, start=1):
        items.append(RoomItem(f"myth:{myth.id}", "myth", number, _plain(myth.claim), myth=myth))
    example = lesson.visual.example
    title = lesson.meta.examples[example].title if example in lesson.meta.examples else example
    items.append(RoomItem(f"example:{example}", "example", 1, title, example=example))
    for number, question in enumerate(lesson.visual.quiz, start=1):
        items.append(
            RoomItem(
                f"visual:{question.id}", "visual", number, _plain(question.question), question,
                example=example,
            )
        )  # fmt: skip
    for number, question in enumerate(lesson.recall.quiz, start=1):
        items.append(
            RoomItem(f"recall:{question.id}", "recall", number, _plain(question.question), question)
        )
    tried = lesson.try_.example
    tried_title = lesson.meta.examples[tried].title if tried in lesson.meta.examples else tried
    items.append(
        RoomItem(f"try:{tried}", "try", 1, tried_title, example=tried, task=lesson.try_.intro)
    )
    for number, challenge in enumerate(lesson.challenge.challenges, start=1):
        items.append(
            RoomItem(
                f"challenge:{challenge.id}", "challenge", number, _plain(challenge.title),
                example=challenge.starter, challenge=challenge, task=challenge.task,
            )
        )  # fmt: skip
    return tuple(items)


def find_item(items: tuple[RoomItem, ...], key: str) -> RoomItem:
    for item in items:
        if item.key == key:
            return item
    raise UnknownItem("room item", key)


def grade_item(item: RoomItem, choice: str) -> bool:
    """Whether ``choice`` is right; ``UnknownOption`` when it is none of the item's choices."""
    if item.question is not None:
        return grade(item.question, choice).correct
    if item.myth is not None and choice in item.choices:
        return grade_myth(item.myth, holds=choice == "yes")
    raise UnknownOption(item.key, choice, item.choices)


def plain(markdown: str, limit: int | None = None) -> str:
    """Markdown read as plain words (for titles and the CSV): no backticks, no emphasis.

    >>> plain("`await` works **anywhere**")
    'await works anywhere'
    """
    text = " ".join(markdown.replace("`", "").replace("**", "").split())
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _plain(markdown: str) -> str:
    return plain(markdown, 90)
