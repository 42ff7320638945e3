from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

LESSON = "/lessons/async-http-client-calls"


def test_a_learner_walks_deep_and_recall_and_keeps_the_score(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}{LESSON}/deep")

    # A prediction: the step body is not on the page until the learner commits.
    step = page.locator("section.step").filter(has=page.locator("form.choice")).first
    step_id = step.get_attribute("id")
    expect(step.locator(".step-body")).to_have_count(0)
    step.locator("input[type=radio]").first.check()
    step.get_by_role("button", name="Commit my prediction").click()
    revealed = page.locator(f"#{step_id}")
    expect(revealed.locator(".step-body")).to_be_visible()
    expect(revealed.locator(".verdict")).to_be_visible()
    expect(revealed.locator(".result")).to_be_focused()
    assert page.url.endswith(f"{LESSON}/deep")  # swapped in place, no navigation

    # A myth verdict, then the reality.
    myth = page.locator("section.myth").first
    myth.get_by_label("No, it does not").check()
    myth.get_by_role("button", name="Commit my verdict").click()
    expect(myth.locator(".verdict")).to_contain_text("does not hold")
    deep_score = page.locator("#mode-bar li.current .score")
    expect(deep_score).to_contain_text(re.compile(r"\d+/\d+"))

    # A Recall question, through the mode bar (a boosted link).
    page.locator("#mode-bar").get_by_role("link", name=re.compile("Recall")).click()
    expect(page).to_have_url(re.compile(r"/recall$"))
    question = page.locator("section.question").first
    question_id = question.get_attribute("id")
    question.locator("input[type=radio]").first.check()
    question.get_by_role("button", name="Check my answer").click()
    expect(question.locator(".verdict")).to_be_visible()
    expect(page.locator("#quiz-status")).to_contain_text("1 of")

    # Reload: everything is kept.
    page.reload()
    expect(page.locator(f"#{question_id} .verdict")).to_be_visible()
    recall_score = page.locator("#mode-bar li.current .score")
    expect(recall_score).to_contain_text(re.compile(r"\b[01]/\d+"))
    expect(page.locator("#mode-bar li", has_text="Deep dive").locator(".score")).to_be_visible()
    page.goto(f"{live_server}{LESSON}/deep")
    expect(page.locator(f"#{step_id} .step-body")).to_be_visible()


def test_without_javascript_a_prediction_posts_and_comes_back_revealed(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server}{LESSON}/deep")
        step = page.locator("section.step").filter(has=page.locator("form.choice")).first
        step_id = step.get_attribute("id")
        step.locator("input[type=radio]").first.check()
        step.get_by_role("button", name="Commit my prediction").click()
        expect(page).to_have_url(re.compile(rf"/deep#{step_id}$"))
        expect(page.locator(f"#{step_id} .step-body")).to_be_visible()
    finally:
        context.close()
