"""View records for a room's code items (Try and Challenge): the learner's editor and latest
result, and the host's live tally of runs and checks; no I/O here.

A learner's result counts their latest run or check only: "how many pass each check" is how many
learners' latest attempts pass it, and the most common failing check is the one failed by the
most learners' latest attempts (ties: the lesson's order of the checks).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup

from loopscope.rooms.items import RoomItem
from loopscope.rooms.state import CodeResult, RoomState
from loopscope.views.common import LessonContext


@dataclass(frozen=True, slots=True)
class CheckTally:
    id: str
    text: Markup
    passing: int  # learners whose latest attempt passes it
    failing: int


@dataclass(frozen=True, slots=True)
class CodeTally:
    kind: Literal["try", "challenge"]
    ran: int  # learners who ran or checked their code at least once
    total: int  # learners in the room
    passed: int  # latest attempt passed every check (a Try: ran without an error)
    checks: tuple[CheckTally, ...]  # empty for a Try, or before it may be shown
    most_failing: CheckTally | None


@dataclass(frozen=True, slots=True)
class MyCode:
    """A learner's editor on a code item, and what their latest run or check gave."""

    kind: Literal["try", "challenge"]
    code: str  # their draft, or the starter code
    call: str
    submit_label: str
    runs: int
    passed: bool | None  # None: not run yet
    failed: tuple[Markup, ...]  # the checks their latest attempt failed, in words
    result_url: str | None  # their attempt, check by check, or their run's trace
    off_reason: str | None = None  # learner code cannot run here (no sandbox): why


def _checks(item: RoomItem) -> tuple[tuple[str, str], ...]:
    if item.challenge is None:
        return ()
    return tuple((check.id, check.text) for check in item.challenge.checks)


def code_tally(
    ctx: LessonContext, item: RoomItem, state: RoomState, *, with_checks: bool
) -> CodeTally:
    assert item.code is not None
    results = state.code_results.get(item.key, {}).values()
    failing = Counter(check for result in results for check in result.failed)
    ran = len(results)
    checks = tuple(
        CheckTally(check_id, ctx.md.inline(text), ran - failing[check_id], failing[check_id])
        for check_id, text in _checks(item)
    )
    worst = max(checks, key=lambda c: c.failing, default=None)
    return CodeTally(
        kind=item.code,
        ran=ran,
        total=len(state.participants),
        passed=sum(result.passed for result in results),
        checks=checks if with_checks else (),
        most_failing=worst if with_checks and worst is not None and worst.failing else None,
    )


def my_code(
    ctx: LessonContext,
    item: RoomItem,
    result: CodeResult | None,
    draft: str | None,
    off_reason: str | None = None,
) -> MyCode:
    assert item.code is not None
    starter = ctx.lesson.sources.get(item.example or "", "")
    if item.challenge is not None:
        call = item.challenge.visible_run.call
        texts = dict(_checks(item))
        failed = tuple(ctx.md.inline(texts.get(c, c)) for c in result.failed) if result else ()
        url = (
            f"/lessons/{ctx.slug}/challenge/{item.challenge.id}/attempts/{result.ref}"
            if result
            else ""
        )
        label = "Check my code"
    else:
        example = ctx.lesson.meta.examples.get(item.example or "")
        call = example.call if example is not None else ""
        failed = ()
        url = f"/lessons/{ctx.slug}/try/runs/{result.ref}" if result else ""
        label = "Run my code"
    return MyCode(
        kind=item.code,
        code=draft if draft is not None else starter,
        call=call,
        submit_label=label,
        runs=result.runs if result else 0,
        passed=result.passed if result else None,
        failed=failed,
        result_url=url if result else None,
        off_reason=off_reason,
    )
