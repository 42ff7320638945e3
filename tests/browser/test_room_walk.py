"""A workshop room in the browser: a host and three learners, each in their own context.

Runs twice: one process on SQLite (the default set-up), and two processes sharing PostgreSQL and
Redis with the host on one process and learners on both (the scaled set-up). The third learner
joins late with JavaScript off, which is also how a late answer after "Lock" gets submitted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from realservers import app_server, missing_servers, postgres, redis

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Servers:
    host: str  # where the host works
    other: str  # where some learners work (another process in the scaled set-up)


@pytest.fixture(scope="module", params=["sqlite-one-process", "postgres-redis-two-processes"])
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Servers]:
    base = tmp_path_factory.mktemp("rooms")
    env = {"LOOPSCOPE_SECRET_KEY": "room-walk", "LOOPSCOPE_TRACE_PRESTART": "false"}
    if request.param == "sqlite-one-process":
        with app_server(base / "one", env=env) as (url, _):
            yield Servers(url, url)
        return
    reason = missing_servers()
    if reason is not None:
        pytest.skip(reason)
    with postgres() as db_url, redis(base) as redis_url:
        scaled = {**env, "LOOPSCOPE_DATABASE_URL": db_url, "LOOPSCOPE_REDIS_URL": redis_url}
        # One after the other: the first creates the tables.
        with (
            app_server(base / "a", env=scaled) as (a, _),
            app_server(base / "b", env=scaled) as (b, _),
        ):
            yield Servers(a, b)


def _join(page: Page, base: str, code: str, nickname: str) -> None:
    page.goto(f"{base}/join")
    page.get_by_label("Join code").fill(code.lower())
    page.get_by_label("Nickname").fill(nickname)
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(re.compile(rf"/rooms/{code}$"))


def test_a_room_from_create_to_export(browser: Browser, servers: Servers, tmp_path: Path) -> None:
    contexts = [browser.new_context() for _ in range(3)]
    no_js = browser.new_context(java_script_enabled=False)
    try:
        host, ada, bob = (context.new_page() for context in contexts)
        late = no_js.new_page()

        # Create: the host page with the join code.
        host.goto(f"{servers.host}/rooms/new")
        host.get_by_role("button", name="Create room").click()
        host.wait_for_url(re.compile(r"/rooms/[A-Z0-9]{6}/host$"))
        code = host.locator("#join-code").inner_text().strip()
        expect(host.locator(".qr svg")).to_be_visible()
        expect(host.locator("#live-status")).to_contain_text("Live")

        # Join: learners on the other process; the host sees them arrive, escaped.
        _join(ada, servers.other, code, "Ada <b>")
        _join(bob, servers.host, code, "Bob")
        expect(host.locator("#participant-list")).to_contain_text("Ada <b>")
        expect(host.locator("#participant-list li")).to_have_count(2)
        expect(ada.locator("#stage-title")).to_have_text("Waiting for the host")

        # A taken nickname is refused (case does not matter).
        other = browser.new_context()
        clash = other.new_page()
        clash.goto(f"{servers.other}/join?code={code}")
        clash.get_by_label("Nickname").fill("bob")
        clash.get_by_role("button", name="Join").click()
        expect(clash.get_by_role("alert")).to_contain_text("already called")
        other.close()

        # Open: the item appears on both learners' pages without a reload.
        expect(ada.locator("#live-status")).to_contain_text("Live")
        host.locator("#next").click()
        for learner in (ada, bob):
            expect(learner.locator("#commit")).to_be_visible()
        item = ada.locator("#stage").get_attribute("data-item")
        assert item is not None
        assert item.startswith("prompt:")

        # Commit: the host's count moves live; learners see no count and no answer.
        ada.locator('input[name="choice"]').nth(1).check()
        ada.locator("#commit").click()
        expect(ada.locator("#committed")).to_contain_text("Committed")
        expect(host.locator("#answered-count")).to_have_text("1")
        for learner in (ada, bob):
            expect(learner.locator(".bars")).to_have_count(0)
            expect(learner.locator(".tag-answer")).to_have_count(0)
        assert "answered" not in bob.locator("#stage").inner_text()

        # A reload mid-question keeps Ada's answer.
        chosen = ada.locator("#committed strong").inner_text()
        ada.reload()
        expect(ada.locator("#committed strong")).to_have_text(chosen)
        expect(ada.locator("#commit")).to_have_count(0)

        bob.locator('input[name="choice"]').first.check()
        bob.locator("#commit").click()
        expect(host.locator("#answered-count")).to_have_text("2")

        # A late joiner (no JavaScript) lands on the open item.
        _join(late, servers.other, code, "Cy")
        expect(late.locator("#stage")).to_have_attribute("data-item", item)
        expect(late.locator("#commit")).to_be_visible()
        expect(host.locator("#participant-list li")).to_have_count(3)

        # Lock: the late answer is refused with a message and not counted.
        host.locator("#lock").click()
        expect(bob.locator("#committed")).to_be_visible()
        late.locator('input[name="choice"]').first.check()
        late.locator("#commit").click()
        # Without JavaScript: back on the room's page (not the POST address), told once.
        late.wait_for_url(re.compile(rf"/rooms/{code}\?refused="))
        expect(late.get_by_role("alert")).to_contain_text("not counted")
        expect(late.get_by_text("Voting on this item is closed")).to_have_count(1)
        expect(host.locator("#tally")).to_contain_text("voting closed")
        expect(host.locator("#answered-count")).to_have_text("2")

        # Reveal reaches the learners live: the distribution and the explained answer.
        host.locator("#reveal").click()
        for learner in (ada, bob):
            expect(learner.locator("#revealed")).to_be_visible()
            expect(learner.locator(".bar-row")).to_have_count(4)
            expect(learner.locator(".tag-answer")).to_have_count(1)
            expect(learner.locator(".bar-explanation").first).to_be_visible()
        expect(ada.locator("#activity")).to_contain_text("revealed")

        # A countdown that locks at zero, started on the host's process: the learners on the
        # other process count down too, and at zero the server closes voting for them.
        host.locator("#next").click()
        expect(bob.locator("#commit")).to_be_visible()
        host.get_by_label("Countdown").select_option("10")
        host.locator("#start-countdown").click()
        expect(ada.locator("#countdown .countdown-left")).to_have_text(re.compile(r"^0:(10|0\d)$"))
        expect(ada.locator("#closed")).to_contain_text("closed", timeout=20_000)
        expect(host.locator("#tally")).to_contain_text("voting closed")
        host.locator("#previous").click()

        # Export: a download for the host, 403 for a learner.
        with host.expect_download() as download:
            host.locator("#export").click()
        csv_text = Path(download.value.path()).read_text()
        lines = csv_text.strip().splitlines()
        assert lines[0] == "nickname,item,question,answer,correct,answered_at,item_correct_rate"
        assert sorted(line.split(",")[0] for line in lines[1:]) == ["Ada <b>", "Bob"]
        assert all(",Deep prediction 1," in line for line in lines[1:])  # words, not ids
        refused = ada.request.get(f"{servers.other}/rooms/{code}/export.csv")
        assert refused.status == 403
        assert "nickname" not in refused.text()
    finally:
        for context in (*contexts, no_js):
            context.close()
