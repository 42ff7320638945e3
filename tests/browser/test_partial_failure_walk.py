"""Lesson 5 in a real browser: listed (and linked) in the course, and a challenge walked from
fail to pass: a gather that raises on the first failing URL, then every outcome in order."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lessons.loader import CONTENT_ROOT

pytestmark = pytest.mark.browser

CHALLENGE = "/lessons/partial-failure/challenge"
SOLUTION = CONTENT_ROOT / "partial-failure/examples/c1_solution.py"


def _replace_code(page: Page, code: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def test_the_course_links_lesson_five(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/lessons")
    items = page.locator(".course-list > li")
    expect(items).to_have_count(5)
    fifth = items.nth(4)
    expect(fifth).to_contain_text("When one of N fails")
    fifth.locator("h3 a").click()
    expect(page).to_have_url(re.compile(r"/lessons/partial-failure$"))
    expect(page.locator("h1")).to_have_text("When one of N fails")


def test_fail_with_a_plain_gather_then_pass_with_every_outcome_in_order(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}{CHALLENGE}")
    page.get_by_role("link", name=re.compile("Every result and every error, in order")).click()
    expect(page.locator(".cm-content")).to_contain_text("asyncio.gather")

    page.get_by_role("button", name="Check my code").click()
    page.wait_for_url(re.compile(r"/attempts/[\w-]+(#verdict)?$"), timeout=120_000)
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "fail")
    expect(page.locator('[data-check="no-raise"]')).to_have_attribute("data-passed", "False")
    expect(page.locator('[data-check="no-raise"]')).to_contain_text("ConnectError")
    expect(page.locator('[data-check="answers"]')).to_have_attribute("data-passed", "False")
    expect(page.locator('[data-check="together"]')).to_have_attribute("data-passed", "True")

    _replace_code(page, SOLUTION.read_text())
    page.get_by_role("button", name="Check my code").click()
    page.wait_for_url(re.compile(r"/attempts/[\w-]+(#verdict)?$"), timeout=120_000)
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "pass")
    expect(page.locator('[data-check="answers-hidden"]')).to_have_attribute("data-passed", "True")
    page.goto(f"{live_server}{CHALLENGE}")
    expect(page.locator(".exercise-list li").first).to_contain_text("passed")
