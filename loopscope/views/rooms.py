"""View records for the room pages: the host's, the learner's, the summary; no I/O here.

The learner's stage is built from the room state and that learner's own answer only: before the
reveal it holds no count and no verdict, so there is nothing to peek at in the page source.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

import segno
from markupsafe import Markup

from loopscope.rooms.items import MYTH_CHOICES, RoomItem
from loopscope.rooms.network import is_loopback_host
from loopscope.rooms.state import RoomEvent, RoomState
from loopscope.tracing import RecordedRun
from loopscope.views.common import LessonContext
from loopscope.views.visual import Outcome, highlighted_lines, outcome, transcript


@dataclass(frozen=True, slots=True)
class RoomPaths:
    """The room's addresses (the routes in ``loopscope.routes.rooms`` serve exactly these)."""

    code: str

    @property
    def page(self) -> str:
        return f"/rooms/{self.code}"

    @property
    def host(self) -> str:
        return f"/rooms/{self.code}/host"

    @property
    def events(self) -> str:
        return f"/rooms/{self.code}/events"

    @property
    def host_events(self) -> str:
        return f"/rooms/{self.code}/host/events"

    @property
    def answers(self) -> str:
        return f"/rooms/{self.code}/answers"

    @property
    def summary(self) -> str:
        return f"/rooms/{self.code}/summary"

    @property
    def export(self) -> str:
        return f"/rooms/{self.code}/export.csv"

    @property
    def end(self) -> str:
        return f"/rooms/{self.code}/end"

    @property
    def delete(self) -> str:
        return f"/rooms/{self.code}/delete"

    def action(self, key: str, verb: Literal["open", "reveal", "lock"]) -> str:
        return f"/rooms/{self.code}/items/{key}/{verb}"


# --- pieces ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OptionRow:
    id: str
    text: Markup
    chosen: bool  # by the learner looking at the page


@dataclass(frozen=True, slots=True)
class Bar:
    """One choice in a distribution."""

    text: Markup
    count: int
    percent: int
    is_answer: bool
    chosen: bool
    explanation: Markup | None


@dataclass(frozen=True, slots=True)
class ExampleView:
    title: str
    call: str
    code: tuple[Markup, ...]
    outcome: Outcome
    transcript: tuple[Markup, ...]
    player_url: str


@dataclass(frozen=True, slots=True)
class ItemView:
    """The current item as a page shows it. ``bars`` is empty until it may be shown."""

    key: str
    kind: str
    label: str
    prompt: Markup  # the question, or the myth's claim
    options: tuple[OptionRow, ...]
    answerable: bool
    voting_open: bool
    revealed: bool
    locked: bool
    answered: int
    bars: tuple[Bar, ...]
    explanation: Markup | None  # the myth's reality and why; questions explain each option
    example: ExampleView | None


@dataclass(frozen=True, slots=True)
class StageView:
    """What a learner sees now."""

    status: Literal["waiting", "item", "ended"]
    item: ItemView | None
    your_choice: str | None  # option id
    your_choice_text: Markup | None
    your_verdict: bool | None  # right or not, only once revealed
    refusal: str | None  # why the learner can no longer answer, when they did not


@dataclass(frozen=True, slots=True)
class ActivityEntry:
    seq: int
    text: str


@dataclass(frozen=True, slots=True)
class ItemRow:
    key: str
    label: str
    title: str
    status: str
    current: bool
    answered: int


@dataclass(frozen=True, slots=True)
class JoinInfo:
    join_url: str  # what the QR code holds
    qr_svg: Markup
    lan_urls: tuple[str, ...]
    note: str | None


@dataclass(frozen=True, slots=True)
class HostLive:
    """The parts of the host page that change during the session."""

    seq: int
    participants: tuple[str, ...]
    items: tuple[ItemRow, ...]
    current: ItemView | None
    previous_key: str | None
    next_key: str | None
    ended: bool


@dataclass(frozen=True, slots=True)
class SummaryItem:
    label: str
    title: str
    answered: int
    correct: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class SummaryPerson:
    nickname: str
    answered: int
    correct: int


# --- builders ----------------------------------------------------------------------------------


def _options(ctx: LessonContext, item: RoomItem) -> tuple[tuple[str, Markup, Markup | None], ...]:
    """(choice id, text, explanation) of every choice of an answerable item."""
    if item.question is not None:
        return tuple(
            (o.id, ctx.md.inline(o.text), ctx.md.block(o.explanation))
            for o in item.question.options
        )
    if item.myth is not None:
        return tuple((choice, Markup.escape(text), None) for choice, text in MYTH_CHOICES)
    return ()


def _answer_of(item: RoomItem) -> str | None:
    if item.question is not None:
        return item.question.answer
    if item.myth is not None:
        return "yes" if item.myth.holds else "no"
    return None


def bars(
    ctx: LessonContext, item: RoomItem, state: RoomState, chosen: str | None, *, explain: bool
) -> tuple[Bar, ...]:
    counts = Counter(a.choice for a in state.answers.get(item.key, {}).values())
    total = sum(counts.values())
    answer = _answer_of(item)
    return tuple(
        Bar(
            text=text,
            count=counts[choice],
            percent=round(100 * counts[choice] / total) if total else 0,
            is_answer=choice == answer,
            chosen=choice == chosen,
            explanation=explanation if explain else None,
        )
        for choice, text, explanation in _options(ctx, item)
    )


def example_view(ctx: LessonContext, item: RoomItem, run: RecordedRun | None) -> ExampleView | None:
    if item.example is None or run is None:
        return None
    source = ctx.lesson.sources.get(item.example, "")
    return ExampleView(
        title=item.title,
        call=run.call,
        code=highlighted_lines(source),
        outcome=outcome(run.trace),
        transcript=transcript(run.trace),
        player_url=f"/lessons/{ctx.slug}/visualize/runs/{run.id}",
    )


def item_view(
    ctx: LessonContext,
    item: RoomItem,
    state: RoomState,
    *,
    host: bool,
    chosen: str | None,
    run: RecordedRun | None,
) -> ItemView:
    progress = state.item(item.key)
    answered = len(state.answers.get(item.key, {}))
    show = host or progress.revealed
    if item.question is not None:
        prompt = ctx.md.block(item.question.question)
        explanation = None
    elif item.myth is not None:
        prompt = Markup("<p>{}</p>").format(item.myth.claim)
        explanation = ctx.md.block(item.myth.reality) + ctx.md.block(item.myth.why)
    else:
        prompt = Markup("<p>{}</p>").format(item.title)
        explanation = None
    return ItemView(
        key=item.key,
        kind=item.kind,
        label=item.label,
        prompt=prompt,
        options=tuple(
            OptionRow(choice, text, choice == chosen) for choice, text, _ in _options(ctx, item)
        ),
        answerable=item.answerable,
        voting_open=progress.voting_open and not state.ended,
        revealed=progress.revealed,
        locked=progress.locked,
        answered=answered if host else 0,
        bars=bars(ctx, item, state, chosen, explain=progress.revealed) if show else (),
        explanation=explanation if progress.revealed else None,
        example=example_view(ctx, item, run),
    )


def stage_view(
    ctx: LessonContext,
    items: dict[str, RoomItem],
    state: RoomState,
    learner: str,
    run: RecordedRun | None,
) -> StageView:
    if state.ended:
        return StageView("ended", None, None, None, None, None)
    if state.current is None or state.current not in items:
        return StageView("waiting", None, None, None, None, None)
    item = items[state.current]
    mine = state.answer(item.key, learner)
    chosen = mine.choice if mine else None
    view = item_view(ctx, item, state, host=False, chosen=chosen, run=run)
    chosen_text = next((o.text for o in view.options if o.id == chosen), None)
    refusal = None
    if mine is None and item.answerable and not view.voting_open:
        refusal = "Voting on this item is closed."
    return StageView(
        "item",
        view,
        chosen,
        chosen_text,
        mine.correct if mine and view.revealed else None,
        refusal,
    )


def activity(
    events: tuple[RoomEvent, ...], items: dict[str, RoomItem]
) -> tuple[ActivityEntry, ...]:
    """One line per event a learner sees, oldest first."""
    entries = []
    for event in events:
        item = items.get(event.item or "")
        name = f"{item.label}" if item else "the item"
        text = {
            "opened": f"The host opened {name}.",
            "revealed": f"The answers to {name} were revealed.",
            "locked": f"Voting on {name} closed.",
            "ended": "The host ended the session.",
            "deleted": "The host deleted this room.",
        }.get(event.kind)
        if text is not None:
            entries.append(ActivityEntry(event.seq, text))
    return tuple(entries)


def host_live(
    ctx: LessonContext, items: tuple[RoomItem, ...], state: RoomState, run: RecordedRun | None
) -> HostLive:
    rows = []
    for item in items:
        progress = state.item(item.key)
        if item.key not in state.items:
            status = "not opened"
        elif progress.revealed:
            status = "revealed"
        elif progress.locked:
            status = "voting closed"
        else:
            status = "open" if item.key == state.current else "opened"
        rows.append(
            ItemRow(
                item.key,
                item.label,
                item.title,
                status,
                item.key == state.current,
                len(state.answers.get(item.key, {})),
            )
        )
    keys = [item.key for item in items]
    by_key = {item.key: item for item in items}
    current = None
    previous_key = next_key = None
    if state.current in by_key:
        current = item_view(ctx, by_key[state.current], state, host=True, chosen=None, run=run)
        index = keys.index(state.current)
        previous_key = keys[index - 1] if index > 0 else None
        next_key = keys[index + 1] if index + 1 < len(keys) else None
    elif keys:
        next_key = keys[0]
    return HostLive(
        seq=state.seq,
        participants=tuple(p.nickname for p in state.participants.values()),
        items=tuple(rows),
        current=current,
        previous_key=previous_key,
        next_key=next_key,
        ended=state.ended,
    )


def join_info(
    join_url: str, *, request_host: str, listen_host: str, port: int, lan: tuple[str, ...]
) -> JoinInfo:
    """The join link and its QR code, and what to tell the host about the network."""
    lan_urls = tuple(f"http://{ip}:{port}/join" for ip in lan)
    note = None
    if listen_host and is_loopback_host(listen_host):
        note = (
            f"This server listens on {listen_host} only, so only this computer can join. To let"
            " learners on your network join, restart it with `loopscope serve --host 0.0.0.0`."
        )
        lan_urls = ()
    elif is_loopback_host(request_host) and lan_urls:
        join_url = lan_urls[0] + join_url[join_url.index("/join") + len("/join") :]
    elif not lan_urls:
        note = "This computer has no network address besides loopback."
    qr = segno.make(join_url, error="m")
    svg = qr.svg_inline(scale=5, border=2, dark="#111", light="#fff", title=f"Join: {join_url}")
    return JoinInfo(join_url, Markup(svg), lan_urls, note)


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
        if progress is None or not item.answerable or not (host or progress.revealed):
            continue
        given = state.answers.get(item.key, {})
        mine = given.get(learner or "")
        shown.append(
            SummaryItem(
                item.label,
                item.title,
                len(given),
                sum(a.correct for a in given.values()),
                bars(ctx, item, state, mine.choice if mine else None, explain=False),
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
