"""A challenge in a real browser: fail, follow the failed check to its replay step, then pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lessons.loader import CONTENT_ROOT

pytestmark = pytest.mark.browser

CHALLENGE = "/lessons/async-http-client-calls/challenge"
SOLUTION = CONTENT_ROOT / "async-http-client-calls/examples/challenge_five_solution.py"


def _replace_code(page: Page, code: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def test_fail_follow_the_replay_link_then_solve(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}{CHALLENGE}")
    page.get_by_role("link", name=re.compile("Five URLs at once")).click()
    expect(page.locator(".cm-content")).to_contain_text("for url in urls")  # the starter

    page.get_by_role("button", name="Check my code").click()
    page.wait_for_url(re.compile(r"/attempts/[\w-]+#verdict$"), timeout=90_000)
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "fail")
    failed = page.locator('[data-check="all-at-once"]')
    expect(failed).to_have_attribute("data-passed", "False")
    expect(failed).to_contain_text("at most 1 request was on the wire")

    link = failed.locator("a[data-replay-link]")
    step = re.search(r"step (\d+)", link.inner_text())
    assert step is not None
    link.click()
    page.wait_for_url(re.compile(r"/runs/[\w-]+\?step=\d+"))
    expect(page.locator("#player-stage")).to_have_attribute(
        "data-status", re.compile(rf"^Step {step.group(1)} of")
    )
    page.go_back()

    _replace_code(page, Path(SOLUTION).read_text())
    page.get_by_role("button", name="Check my code").click()
    page.wait_for_url(re.compile(r"/attempts/[\w-]+#verdict$"), timeout=90_000)
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "pass")
    page.goto(f"{live_server}{CHALLENGE}")
    expect(page.locator(".exercise-list li").first).to_contain_text("passed")
