"""Lesson 4 in a real browser: the bounded, in-order challenge walked from fail to pass."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lessons.loader import CONTENT_ROOT

pytestmark = pytest.mark.browser

LESSON = "/lessons/fan-out-limits"
SOLUTION = CONTENT_ROOT / "fan-out-limits/examples/challenge_order_solution.py"


def _replace_code(page: Page, code: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def test_the_course_links_lesson_four(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/lessons")
    heading = page.locator("#lesson-fan-out-limits")  # the course entry's heading
    expect(heading).not_to_contain_text("coming")
    heading.get_by_role("link", name="Fan-out without melting").click()
    expect(page).to_have_url(re.compile(r"/lessons/fan-out-limits$"))
    expect(page.locator("h1")).to_have_text("Fan-out without melting")


def test_fail_one_at_a_time_then_pass_with_a_bound(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}{LESSON}/challenge")
    page.get_by_role("link", name=re.compile("At most K in flight")).click()
    expect(page.locator(".cm-content")).to_contain_text("one at a time")

    page.get_by_role("button", name="Check my code").click()
    page.wait_for_url(re.compile(r"/attempts/[\w-]+(#verdict)?$"), timeout=120_000)
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "fail")
    # The starter is right about order and bound, and wrong about using the bound at all.
    expect(page.locator('[data-check="order"]')).to_have_attribute("data-passed", "True")
    expect(page.locator('[data-check="bounded"]')).to_have_attribute("data-passed", "True")
    concurrent = page.locator('[data-check="concurrent"]')
    expect(concurrent).to_have_attribute("data-passed", "False")
    expect(concurrent).to_contain_text("at most 1 request was on the wire at once")

    _replace_code(page, SOLUTION.read_text())
    page.get_by_role("button", name="Check my code").click()
    page.wait_for_url(re.compile(r"/attempts/[\w-]+(#verdict)?$"), timeout=120_000)
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "pass")
    page.goto(f"{live_server}{LESSON}/challenge")
    expect(page.locator(".exercise-list li").first).to_contain_text("passed")
