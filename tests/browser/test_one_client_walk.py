"""Lesson 2 in a real browser: the course page, a challenge walked from fail to pass, and the
link on to the next lesson."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lessons.loader import CONTENT_ROOT

pytestmark = pytest.mark.browser

CHALLENGE = "/lessons/one-client/challenge"
SOLUTION = CONTENT_ROOT / "one-client/examples/challenge_app_solution.py"


def _replace_code(page: Page, code: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


COURSE = (
    "async-http-client-calls",
    "one-client",
    "timeouts-deadlines",
    "fan-out-limits",
    "partial-failure",
)


def test_the_course_lists_lesson_two_and_lesson_one_leads_to_it(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/lessons")
    items = page.locator(".course-list > li")
    expect(items).to_have_count(5)
    expect(items.nth(1)).to_contain_text("One client for the whole app")
    written = {p.name for p in CONTENT_ROOT.iterdir() if (p / "lesson.yaml").is_file()}
    for index, slug in enumerate(COURSE):  # a written lesson is a link, a coming one is not
        links = items.nth(index).locator("h3 a")
        expect(links).to_have_count(1 if slug in written else 0)
        if slug not in written:
            expect(items.nth(index)).to_contain_text("coming")

    page.goto(f"{live_server}/lessons/async-http-client-calls/recall")
    page.get_by_role("navigation", name="Next lesson").get_by_role(
        "link", name="One client for the whole app"
    ).click()
    expect(page).to_have_url(re.compile(r"/lessons/one-client$"))
    expect(page.locator("h1")).to_have_text("One client for the whole app")


def test_fail_with_a_client_per_request_then_pass_with_one_client(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}{CHALLENGE}")
    page.get_by_role("link", name=re.compile("One client for the quote service")).click()
    expect(page.locator(".cm-content")).to_contain_text("async with httpx.AsyncClient")

    page.get_by_role("button", name="Check my code").click()
    page.wait_for_url(re.compile(r"/attempts/[\w-]+#verdict$"), timeout=120_000)
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "fail")
    one_client = page.locator('[data-check="one-client"]')
    expect(one_client).to_have_attribute("data-passed", "False")
    expect(one_client).to_contain_text("3 client(s) sent the upstream requests")
    reuse = page.locator('[data-check="reuse"]')
    expect(reuse).to_have_attribute("data-passed", "False")
    expect(reuse).to_contain_text("3 TCP connection(s) were opened")
    expect(page.locator('[data-check="closed"]')).to_have_attribute("data-passed", "True")

    _replace_code(page, Path(SOLUTION).read_text())
    page.get_by_role("button", name="Check my code").click()
    page.wait_for_url(re.compile(r"/attempts/[\w-]+#verdict$"), timeout=120_000)
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "pass")
    page.goto(f"{live_server}{CHALLENGE}")
    expect(page.locator(".exercise-list li").first).to_contain_text("passed")

    page.goto(f"{live_server}/lessons")
    progress = page.locator(".course-list > li").nth(1).locator(".progress")
    expect(progress.locator("div", has_text="Challenges passed")).to_contain_text("1 of 2")
