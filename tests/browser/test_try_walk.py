"""Try in a real browser: edit the canonical example, run it in the sandbox, step through it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TRY = "/lessons/async-http-client-calls/try"


def test_edit_run_and_step_through_your_own_trace(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}{TRY}")
    editor = page.locator(".cm-content")
    expect(editor).to_contain_text("async def fetch_data")  # CodeMirror over the textarea

    # The edit: a default URL that waits 0.5 s upstream, and a call that uses it.
    editor.click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("End")  # end of "import httpx"
    page.keyboard.insert_text('\nSLOW = "https://api.example.com/delay/0.5"')
    page.locator("#try-form-call").fill("fetch_data(SLOW)")
    page.get_by_role("button", name="Run it for real").click()

    page.wait_for_url(re.compile(r"/try/runs/[\w-]+#run$"), timeout=60_000)
    player = page.locator("#player")
    stage = page.locator("#player-stage")  # the part a step swaps in: it carries the step
    expect(stage).to_have_attribute("data-status", re.compile("^Step 1 of 7"))
    expect(page.locator("#player-stage .stage-code")).to_contain_text(
        'SLOW = "https://api.example.com/delay/0.5"'
    )
    wall = float(player.locator("[data-wall-ms]").inner_text().replace(",", "").removesuffix(" ms"))
    assert wall >= 500  # the upstream really waited

    stage.locator('a[data-step-nav="next"]').click()
    expect(stage).to_have_attribute("data-status", re.compile("^Step 2 of 7"))
    assert re.search(r"/try/runs/[\w-]+\?step=2(#player)?$", page.url)
    player.click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    expect(stage).to_have_attribute("data-status", re.compile("^Step 3 of 7"))
    page.keyboard.press("ArrowRight")
    expect(stage).to_have_attribute("data-status", re.compile("^Step 4 of 7"))
    response = page.locator('#player [data-var="response"] dd')
    expect(response).to_contain_text("Response [200 OK]")

    # The draft survives a reload of the Try page.
    page.goto(f"{live_server}{TRY}")
    expect(page.locator(".cm-content")).to_contain_text("SLOW = ")
    expect(page.locator("#try-form-call")).to_have_value("fetch_data(SLOW)")


def test_a_syntax_error_marks_its_line_in_the_editor(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}{TRY}")
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("\nif True\n")
    page.get_by_role("button", name="Run it for real").click()
    expect(page.locator(".form-error")).to_contain_text("syntax error at line")
    expect(page.locator(".cm-lint-marker-error").first).to_be_visible()
