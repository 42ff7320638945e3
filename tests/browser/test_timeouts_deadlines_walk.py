"""Lesson 3 in a real browser: the course links lesson 2 on to it, and the fan-out challenge is
walked from fail (a read timeout taken for a budget) to pass (one shared deadline)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lessons.loader import CONTENT_ROOT

pytestmark = pytest.mark.browser

CHALLENGE = "/lessons/timeouts-deadlines/challenge"
SOLUTION = CONTENT_ROOT / "timeouts-deadlines/examples/challenge_fanout_solution.py"


def _replace_code(page: Page, code: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def test_the_course_lists_lesson_three_and_lesson_two_leads_to_it(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/lessons")
    items = page.locator(".course-list > li")
    expect(items.nth(2)).to_contain_text("Timeouts that mean what you think")
    expect(items.nth(2).locator("h3 a")).to_have_count(1)

    page.goto(f"{live_server}/lessons/one-client/recall")
    page.get_by_role("navigation", name="Next lesson").get_by_role(
        "link", name="Timeouts that mean what you think"
    ).click()
    expect(page).to_have_url(re.compile(r"/lessons/timeouts-deadlines$"))
    expect(page.locator("h1")).to_have_text("Timeouts that mean what you think")


def test_fail_with_a_read_timeout_then_pass_with_one_deadline(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}{CHALLENGE}")
    page.get_by_role("link", name=re.compile("A fan-out with a 1 s budget")).click()
    expect(page.locator(".cm-content")).to_contain_text("asyncio.gather")

    page.get_by_role("button", name="Check my code").click()
    page.wait_for_url(re.compile(r"/attempts/[\w-]+(#verdict)?$"), timeout=120_000)
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "fail")
    no_error = page.locator('[data-check="no-error"]')
    expect(no_error).to_have_attribute("data-passed", "False")
    expect(no_error).to_contain_text("ReadTimeout")
    expect(page.locator('[data-check="answers"]')).to_have_attribute("data-passed", "False")

    _replace_code(page, SOLUTION.read_text())
    page.get_by_role("button", name="Check my code").click()
    page.wait_for_url(re.compile(r"/attempts/[\w-]+(#verdict)?$"), timeout=120_000)
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "pass")
    expect(page.locator('[data-check="answers-dripping"]')).to_have_attribute("data-passed", "True")
    page.goto(f"{live_server}{CHALLENGE}")
    expect(page.locator(".exercise-list li").first).to_contain_text("passed")
