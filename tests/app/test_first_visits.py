"""First visits: concurrent pages never race into a 500, and doing nothing writes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from app_helpers import TemplateRecorder, client_for, csrf_token, learner_id
from sqlalchemy import event

from loopscope.storage import Store
from loopscope.web.modepaths import segment_for

pytestmark = pytest.mark.anyio

SLUG = "demo-lesson"
MODES = ("learn", "why", "deep", "visual", "try", "challenge", "project", "recall", "perf")


def page(mode: str) -> str:
    return f"/lessons/{SLUG}" if mode == "learn" else f"/lessons/{SLUG}/{segment_for(mode)}"


@contextmanager
def writes(store: Store) -> Iterator[list[str]]:
    """The INSERT/UPDATE/DELETE statements the store sends while the block runs."""
    seen: list[str] = []
    engine = store._engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_visitor_who_does_nothing_writes_nothing(
    recorder: TemplateRecorder, store: Store
) -> None:
    with writes(store) as seen:
        for mode in MODES:
            async with client_for(recorder) as cookieless:
                assert (await cookieless.get(page(mode))).status_code == 200
        async with client_for(recorder) as browser:  # keeps its cookie, still does nothing
            for mode in MODES:
                assert (await browser.get(page(mode))).status_code == 200
    # The Visual page records the lesson's example once, for everybody: a shared run, not a row
    # about this visitor.
    assert [statement for statement in seen if "trace_runs" not in statement] == []
    assert await store.learner_count() == 0


async def test_reopening_the_same_page_writes_nothing(
    client: httpx.AsyncClient, token: str, store: Store
) -> None:
    form = {"csrf_token": token, "choice": "a"}
    assert (await client.post(f"/lessons/{SLUG}/quiz/r1", data=form)).status_code == 303
    await client.get(page("deep"))  # moving to another mode is progress: stored
    with writes(store) as seen:
        for _ in range(5):
            assert (await client.get(page("deep"))).status_code == 200
    assert seen == []


async def test_opening_every_page_at_once_after_a_first_answer_never_fails(
    recorder: TemplateRecorder, store: Store
) -> None:
    async with client_for(recorder, raise_app_exceptions=False) as client:
        token = await csrf_token(client)
        answers = [
            client.post(f"/lessons/{SLUG}/quiz/r1", data={"csrf_token": token, "choice": "a"}),
            client.post(f"/lessons/{SLUG}/myths/m1", data={"csrf_token": token, "verdict": "no"}),
        ]
        responses = await asyncio.gather(*answers, *(client.get(page(m)) for m in MODES * 3))
        learner = learner_id(client)
    assert [r.status_code for r in responses if r.status_code >= 500] == []
    assert (await store.progress(learner))[SLUG].visited >= {"recall", "deep"}


async def test_racing_first_writes_of_one_learner_all_succeed(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'race.sqlite3'}")
    try:
        writes = [
            *(store.record_answer("l1", "x", f"q{i}", "a", correct=True) for i in range(10)),
            *(
                store.commit_choice("l1", "x", "myth", f"m{i}", "no", correct=True)
                for i in range(10)
            ),
            *(store.record_visit("l1", "x", mode, "here") for mode in MODES),
            *(store.start_round("l1", "x", seen_round=1) for _ in range(5)),
        ]
        await asyncio.gather(*writes)
        await asyncio.gather(*(store.record_visit("l1", "x", mode) for mode in MODES))
        progress = (await store.progress("l1"))["x"]
        assert progress.visited == set(MODES)
        assert progress.quiz_round == 2
        assert len(await store.commitments("l1", "x")) == 10
    finally:
        await store.close()
