"""View records for the room pages: the host's, the learner's, the summary; no I/O here.

The learner's stage is built from the room state and that learner's own answer only: before the
reveal it holds no count and no verdict, so there is nothing to peek at in the page source. The
presenter's screen (for the projector) holds the count of answers but, like a learner's, no
distribution and no answer before the reveal. The host's own screen holds the distribution while
voting is open, but folded (``<details>``), so a host screen shared by mistake spoils nothing at a
glance.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import segno
from markupsafe import Markup

from loopscope.records import RecordedRun
from loopscope.rooms.items import MYTH_CHOICES, RoomItem
from loopscope.rooms.network import is_loopback_host
from loopscope.rooms.state import CodeResult, RoomEvent, RoomState
from loopscope.views.common import LessonContext
from loopscope.views.room_code import CodeTally, MyCode, code_tally, my_code
from loopscope.views.visual import (
    RunOutcome,
    StepRow,
    highlighted_lines,
    outcome,
    player_view,
    transcript,
)

Viewer = Literal["host", "learner", "presenter"]


@dataclass(frozen=True, slots=True)
class RoomPaths:
    """The room's addresses (the routes in ``loopscope.web.routes.rooms`` serve exactly these)."""

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
    def present(self) -> str:
        return f"/rooms/{self.code}/present"

    @property
    def present_events(self) -> str:
        return f"/rooms/{self.code}/present/events"

    def countdown(self, key: str) -> str:
        return f"/rooms/{self.code}/items/{key}/countdown"

    def code_run(self, key: str) -> str:
        return f"/rooms/{self.code}/items/{key}/code"

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
    outcome: RunOutcome
    transcript: tuple[Markup, ...]
    player_url: str


@dataclass(frozen=True, slots=True)
class CountdownView:
    """An item's countdown. ``deadline_ms`` lets a page count down by itself (JavaScript);
    ``left_s`` is what was left when the page was rendered (the words without JavaScript)."""

    deadline_ms: int
    deadline_text: str  # e.g. "14:03:25 UTC"
    left_s: int
    lock: bool

    @property
    def over(self) -> bool:
        return self.left_s <= 0

    @property
    def left_text(self) -> str:
        return f"{self.left_s // 60}:{self.left_s % 60:02d}"


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
    table: tuple[StepRow, ...]  # the traced run's table a Visual question asks about
    task: Markup | None  # a code item's task
    code: Literal["try", "challenge"] | None
    tally: CodeTally | None  # a code item's runs and checks (host; presenter after the reveal)
    countdown: CountdownView | None
    not_answered: tuple[str, ...]  # nicknames (host only)


@dataclass(frozen=True, slots=True)
class StageView:
    """What a learner sees now."""

    status: Literal["waiting", "item", "ended"]
    item: ItemView | None
    your_choice: str | None  # option id
    your_choice_text: Markup | None
    your_verdict: bool | None  # right or not, only once revealed
    refusal: str | None  # why the learner can no longer answer, when they did not
    your_code: MyCode | None = None  # a code item: the learner's editor and latest result


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
    answered: int  # answers (a code item: learners who ran their code)
    code: bool = False


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
    countdown_choices: tuple[int, ...] = ()


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


def countdown_view(deadline: datetime | None, lock: bool, now: datetime) -> CountdownView | None:
    if deadline is None:
        return None
    left = max(int((deadline - now).total_seconds() + 0.999), 0)
    return CountdownView(
        int(deadline.timestamp() * 1000), deadline.strftime("%H:%M:%S UTC"), left, lock
    )


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
    if item.kind != "example" or item.example is None or run is None:
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


def _table(ctx: LessonContext, item: RoomItem, run: RecordedRun | None) -> tuple[StepRow, ...]:
    """The rows of the traced run's table, for a Visual question (they ask about it)."""
    if item.kind != "visual" or item.example is None or run is None or not run.trace.steps:
        return ()
    source = ctx.lesson.sources.get(item.example, "")
    return player_view(run, step=None, source=source, title=item.title).steps


def item_view(
    ctx: LessonContext,
    item: RoomItem,
    state: RoomState,
    *,
    audience: Viewer,
    chosen: str | None,
    run: RecordedRun | None,
    now: datetime,
) -> ItemView:
    progress = state.item(item.key)
    answered = len(state.answers.get(item.key, {}) or state.code_results.get(item.key, {}))
    host = audience == "host"
    show = host or progress.revealed
    if item.question is not None:
        prompt = ctx.md.block(item.question.question)
        explanation = None
    elif item.myth is not None:
        prompt = Markup("<p>{}</p>").format(ctx.md.inline(item.myth.claim))
        explanation = ctx.md.block(item.myth.reality) + ctx.md.block(item.myth.why)
    else:
        prompt = Markup("<p>{}</p>").format(ctx.md.inline(item.title))
        explanation = None
    timed_out = progress.timed_out(now)
    not_answered: tuple[str, ...] = ()
    if host and (item.answerable or item.code):
        given = (state.code_results if item.code else state.answers).get(item.key, {})
        not_answered = tuple(
            p.nickname for learner, p in state.participants.items() if learner not in given
        )
    tally = None
    if item.code is not None and (show or audience == "presenter"):
        tally = code_tally(ctx, item, state, with_checks=show)
    return ItemView(
        key=item.key,
        kind=item.kind,
        label=item.label,
        prompt=prompt,
        options=tuple(
            OptionRow(choice, text, choice == chosen) for choice, text, _ in _options(ctx, item)
        ),
        answerable=item.answerable,
        voting_open=progress.voting_open and not state.ended and not timed_out,
        revealed=progress.revealed,
        locked=progress.locked or timed_out,
        answered=answered if audience != "learner" else 0,
        bars=bars(ctx, item, state, chosen, explain=progress.revealed) if show else (),
        explanation=explanation if progress.revealed else None,
        example=example_view(ctx, item, run),
        table=_table(ctx, item, run),
        task=ctx.md.block(item.task) if item.task else None,
        code=item.code,
        tally=tally,
        countdown=(
            countdown_view(progress.deadline, progress.lock_at_zero, now)
            if progress.voting_open and not state.ended
            else None
        ),
        not_answered=not_answered,
    )


def stage_view(
    ctx: LessonContext,
    items: dict[str, RoomItem],
    state: RoomState,
    learner: str,
    run: RecordedRun | None,
    *,
    now: datetime,
    draft: str | None = None,
    code_off: str | None = None,
) -> StageView:
    """The learner's stage; ``code_off``: why learner code cannot run here (None: it can)."""
    if state.ended:
        return StageView("ended", None, None, None, None, None)
    if state.current is None or state.current not in items:
        return StageView("waiting", None, None, None, None, None)
    item = items[state.current]
    mine = state.answer(item.key, learner)
    chosen = mine.choice if mine else None
    view = item_view(ctx, item, state, audience="learner", chosen=chosen, run=run, now=now)
    chosen_text = next((o.text for o in view.options if o.id == chosen), None)
    refusal = None
    if mine is None and item.answerable and not view.voting_open:
        refusal = "Voting on this item is closed."
    code_result: CodeResult | None = state.code_results.get(item.key, {}).get(learner)
    return StageView(
        "item",
        view,
        chosen,
        chosen_text,
        mine.correct if mine and view.revealed else None,
        refusal,
        my_code(ctx, item, code_result, draft, code_off) if item.code else None,
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
            "timed": f"The host started a countdown on {name}.",
            "ended": "The host ended the session.",
            "deleted": "The host deleted this room.",
        }.get(event.kind)
        if text is not None:
            entries.append(ActivityEntry(event.seq, text))
    return tuple(entries)


def host_live(
    ctx: LessonContext,
    items: tuple[RoomItem, ...],
    state: RoomState,
    run: RecordedRun | None,
    *,
    now: datetime,
    countdown_choices: tuple[int, ...] = (),
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
                len(state.answers.get(item.key, {}) or state.code_results.get(item.key, {})),
                code=item.code is not None,
            )
        )
    keys = [item.key for item in items]
    by_key = {item.key: item for item in items}
    current = None
    previous_key = next_key = None
    if state.current in by_key:
        current = item_view(
            ctx, by_key[state.current], state, audience="host", chosen=None, run=run, now=now
        )
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
        countdown_choices=countdown_choices,
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


@dataclass(frozen=True, slots=True)
class PresentView:
    """The presenter's screen, for the projector: the question, its options, how many answered
    and the countdown; the distribution and the answer only after the reveal."""

    seq: int
    joined: int
    current: ItemView | None
    ended: bool


def present_view(
    ctx: LessonContext,
    items: tuple[RoomItem, ...],
    state: RoomState,
    run: RecordedRun | None,
    *,
    now: datetime,
) -> PresentView:
    by_key = {item.key: item for item in items}
    current = None
    if state.current in by_key and not state.ended:
        item = by_key[state.current]
        current = item_view(ctx, item, state, audience="presenter", chosen=None, run=run, now=now)
    return PresentView(state.seq, len(state.participants), current, state.ended)
