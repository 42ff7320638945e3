"""A room's records: the summary page (printable) and the CSV export, in words; no I/O here.

Items and options are named as a person reads them ("Myth 2: `await` works anywhere",
"No, it does not"), never by their internal ids, and every item says its correct rate: the share
of the answers (for a code item: of the learners who ran it) that were right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from loopscope.rooms.items import MYTH_CHOICES, RoomItem, plain
from loopscope.rooms.state import RoomState
from loopscope.views.common import LessonContext
from loopscope.views.rooms import Bar, bars

EXPORT_HEADER = (
    "nickname",
    "item",
    "question",
    "answer",
    "correct",
    "answered_at",
    "item_correct_rate",
)


def rate(right: int, answered: int) -> int | None:
    """The correct rate in whole percent; None when nobody answered."""
    return round(100 * right / answered) if answered else None


def rate_text(right: int, answered: int) -> str:
    found = rate(right, answered)
    return "" if found is None else f"{found}%"


@dataclass(frozen=True, slots=True)
class SummaryItem:
    label: str
    question: Markup  # the item as its lesson shows it
    answered: int  # answers (a code item: learners who ran or checked their code)
    correct: int  # right answers (a code item: latest attempts that passed)
    bars: tuple[Bar, ...]
    code: bool

    @property
    def rate(self) -> int | None:
        return rate(self.correct, self.answered)


@dataclass(frozen=True, slots=True)
class SummaryPerson:
    nickname: str
    answered: int
    correct: int


@dataclass(frozen=True, slots=True)
class ExportLine:
    nickname: str
    item: str  # "Myth 2"
    question: str  # the question or claim, plain text
    answer: str  # the option's text, plain
    correct: bool
    answered_at: datetime
    item_correct_rate: str  # "67%"

    def cells(self) -> tuple[str, ...]:
        return (
            self.nickname,
            self.item,
            self.question,
            self.answer,
            "yes" if self.correct else "no",
            self.answered_at.isoformat(timespec="seconds"),
            self.item_correct_rate,
        )


def _question_text(item: RoomItem) -> str:
    if item.question is not None:
        return plain(item.question.question)
    if item.myth is not None:
        return plain(item.myth.claim)
    return plain(item.title)


def _option_texts(item: RoomItem) -> dict[str, str]:
    if item.question is not None:
        return {option.id: plain(option.text) for option in item.question.options}
    if item.myth is not None:
        return dict(MYTH_CHOICES)
    return {}


def _code_answer(item: RoomItem, passed: bool, failed: tuple[str, ...]) -> str:
    if item.challenge is None:
        return "ran without an error" if passed else "ran, and it ended with an error"
    if passed:
        return "every check passed"
    texts = {check.id: plain(check.text) for check in item.challenge.checks}
    return "failed: " + "; ".join(texts.get(check, check) for check in failed)


def summary(
    ctx: LessonContext,
    items: tuple[RoomItem, ...],
    state: RoomState,
    *,
    host: bool,
    learner: str | None,
) -> tuple[tuple[SummaryItem, ...], tuple[SummaryPerson, ...]]:
    """Per item (the host: every opened item; a learner: the revealed ones) and per person
    (the host: everyone; a learner: themselves)."""
    shown = []
    for item in items:
        progress = state.items.get(item.key)
        if progress is None or not (host or progress.revealed):
            continue
        if item.answerable:
            given = state.answers.get(item.key, {})
            mine = given.get(learner or "")
            shown.append(
                SummaryItem(
                    item.label,
                    ctx.md.block(item.question.question)
                    if item.question is not None
                    else Markup("<p>{}</p>").format(ctx.md.inline(_claim(item))),
                    len(given),
                    sum(a.correct for a in given.values()),
                    bars(ctx, item, state, mine.choice if mine else None, explain=False),
                    code=False,
                )
            )
        elif item.code is not None:
            results = state.code_results.get(item.key, {})
            shown.append(
                SummaryItem(
                    item.label,
                    Markup("<p>{}</p>").format(ctx.md.inline(item.title)),
                    len(results),
                    sum(r.passed for r in results.values()),
                    (),
                    code=True,
                )
            )
    people = []
    for participant in state.participants.values():
        if not host and participant.learner != learner:
            continue
        theirs = [
            a
            for answers in state.answers.values()
            for a in answers.values()
            if a.learner == participant.learner and (host or state.item(a.item).revealed)
        ]
        people.append(
            SummaryPerson(participant.nickname, len(theirs), sum(a.correct for a in theirs))
        )
    return tuple(shown), tuple(people)


def _claim(item: RoomItem) -> str:
    return item.myth.claim if item.myth is not None else item.title


def export_lines(items: tuple[RoomItem, ...], state: RoomState) -> tuple[ExportLine, ...]:
    """Every answer and every learner's latest code result, oldest first, in words."""
    by_key = {item.key: item for item in items}
    nicknames = {p.learner: p.nickname for p in state.participants.values()}
    lines = []
    for key, given in state.answers.items():
        item = by_key.get(key)
        if item is None:
            continue
        options = _option_texts(item)
        right = sum(a.correct for a in given.values())
        item_rate = rate_text(right, len(given))
        for answer in given.values():
            lines.append(
                ExportLine(
                    nicknames.get(answer.learner, ""),
                    item.label,
                    _question_text(item),
                    options.get(answer.choice, answer.choice),
                    answer.correct,
                    answer.answered_at,
                    item_rate,
                )
            )
    for key, results in state.code_results.items():
        item = by_key.get(key)
        if item is None:
            continue
        item_rate = rate_text(sum(r.passed for r in results.values()), len(results))
        for result in results.values():
            lines.append(
                ExportLine(
                    nicknames.get(result.learner, ""),
                    item.label,
                    _question_text(item),
                    _code_answer(item, result.passed, result.failed),
                    result.passed,
                    result.at,
                    item_rate,
                )
            )
    return tuple(sorted(lines, key=lambda line: line.answered_at))
