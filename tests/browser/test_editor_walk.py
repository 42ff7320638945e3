"""The learner's editor in a real browser: Python's indents, drafts, early errors, landing.

Screenshots go to $LOOPSCOPE_SHOTS (default: the test's tmp folder) for a human to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

TRY = "/lessons/async-http-client-calls/try"
CHALLENGE = "/lessons/async-http-client-calls/challenge/challenge-five-at-once"
RUN_MS = 60_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LOOPSCOPE_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def _code(page: Page) -> str:
    """What the form will post: the textarea CodeMirror keeps in step with the editor."""
    value: str = page.locator("#try-form-code").input_value()
    return value


def _go_to_line_end(page: Page, text: str) -> None:
    """Put the cursor at the end of the first line that contains ``text``."""
    line = page.locator(".cm-line", has_text=text).first
    line.click()
    page.keyboard.press("End")


def test_enter_continues_a_block_by_four_and_tab_indents_by_four(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}{TRY}?example=canonical")
    expect(page.locator(".cm-content")).to_contain_text("async with httpx.AsyncClient() as client:")

    _go_to_line_end(page, "async with httpx.AsyncClient() as client:")
    page.keyboard.press("Enter")
    page.keyboard.type("pass")
    assert "        pass\n" in _code(page)  # 4 for the def, 4 more for the async with

    page.keyboard.press("Home")
    page.keyboard.press("Shift+Tab")
    assert "\n    pass\n" in _code(page)  # one level out
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert "\n            pass\n" in _code(page)  # two levels in, 4 each
    assert "\t" not in _code(page)
    expect(page.locator(".cm-content")).to_be_focused()  # Tab stayed in the editor
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # Esc then Tab leaves it, as the hint says
    expect(page.locator(".cm-content")).not_to_be_focused()
    assert "\n            pass\n" in _code(page)


def test_the_draft_is_saved_as_you_type_and_a_reload_keeps_it(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}{TRY}")
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("\n# typed, never run\n")
    page.locator("#try-form-call").fill('fetch_data("https://api.example.com/json")')
    expect(page.locator("[data-draft-status]")).to_have_text("Draft saved.")
    page.reload()
    expect(page.locator(".cm-content")).to_contain_text("# typed, never run")
    expect(page.locator("#try-form-call")).to_have_value(
        'fetch_data("https://api.example.com/json")'
    )
    # The call alone changed: that is saved too.
    with page.expect_response(lambda r: r.url.endswith("/try/draft") and r.status == 204):
        page.locator("#try-form-call").fill("fetch_data(URL)")
    page.reload()
    expect(page.locator("#try-form-call")).to_have_value("fetch_data(URL)")


def test_a_call_that_fails_before_its_first_step_and_its_permalink(
    desktop: Page, live_server: str, shots: Path
) -> None:
    page = desktop
    page.goto(f"{live_server}{TRY}")
    expect(page.locator(".cm-content")).to_contain_text("async def fetch_data")
    page.locator("#try-form-call").fill("fetch_data()")
    page.get_by_role("button", name="Run it for real").click()
    page.wait_for_url(re.compile(r"/try/runs/[\w-]+#run$"), timeout=RUN_MS)

    result = page.locator("#run")
    expect(result).to_be_focused()
    expect(result).to_contain_text("Your run stopped before its first step")
    expect(result).to_contain_text("TypeError")
    expect(result).to_contain_text("missing 1 required positional argument: 'url'")
    expect(page.locator("#try-form-call")).to_have_value("fetch_data()")  # the code is kept
    expect(page.locator(".cm-content")).to_contain_text("async def fetch_data")
    expect(page.locator("#player")).to_have_count(0)
    page.screenshot(path=str(shots / "early-error-desktop.png"))

    permalink = page.url.split("#")[0]
    answer = httpx.get(permalink, cookies=_cookies(page), timeout=10)
    assert answer.status_code == 200
    page.goto(permalink)
    expect(page.locator("#run")).to_contain_text("TypeError")
    expect(page.locator("#run")).to_be_focused()
    assert "--call" not in page.content()


def _cookies(page: Page) -> dict[str, str]:
    return {c["name"]: c["value"] for c in page.context.cookies() if "name" in c and "value" in c}


def _in_view(page: Page, selector: str) -> bool:
    """The element's top is on screen (the page scrolled to it)."""
    top: float = page.locator(selector).evaluate("e => e.getBoundingClientRect().top")
    height: float = page.evaluate("innerHeight")
    return 0 <= top < height


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_after_run_the_page_lands_on_the_result_with_focus(
    device: str, request: pytest.FixtureRequest, live_server: str, shots: Path
) -> None:
    page: Page = request.getfixturevalue(device)
    page.goto(f"{live_server}{TRY}")
    expect(page.locator(".cm-content")).to_contain_text("async def fetch_data")
    page.get_by_role("button", name="Run it for real").click()
    page.wait_for_url(re.compile(r"/try/runs/[\w-]+#run$"), timeout=RUN_MS)
    expect(page.locator("#run")).to_be_focused()
    expect(page.locator("#player-stage")).to_have_attribute("data-status", re.compile("^Step 1 of"))
    assert _in_view(page, "#run")
    assert page.evaluate("scrollY") > 0  # below the editor, where the result is
    page.screenshot(path=str(shots / f"run-landed-{device}.png"))


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_after_check_the_page_lands_on_the_verdict_and_the_replay_says_why(
    device: str, request: pytest.FixtureRequest, live_server: str, shots: Path
) -> None:
    page: Page = request.getfixturevalue(device)
    page.goto(f"{live_server}{CHALLENGE}")
    expect(page.locator(".cm-content")).to_contain_text("for url in urls")
    page.get_by_role("button", name="Check my code").click()
    page.wait_for_url(re.compile(r"/attempts/[\w-]+#verdict$"), timeout=90_000)
    verdict = page.locator("#verdict")
    expect(verdict).to_be_focused()
    assert _in_view(page, "#verdict")
    page.screenshot(path=str(shots / f"check-landed-{device}.png"))

    failed = page.locator('[data-check="all-at-once"]')
    failed.locator("a[data-replay-link]").click()
    page.wait_for_url(re.compile(r"check=all-at-once#replay-note$"))
    note = page.locator("#replay-note")
    expect(note).to_be_focused()
    expect(note).to_contain_text("You came here from the check")
    expect(note).to_contain_text("side by side")  # what an in-flight check reads
    page.screenshot(path=str(shots / f"replay-note-{device}.png"))


def test_without_javascript_run_still_lands_on_the_result_and_key_hints_hide(
    browser: Browser, live_server: str, shots: Path
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}{TRY}")
    hint = page.locator(".editor-field .js-only")
    expect(hint).to_be_hidden()
    page.get_by_role("button", name="Run it for real").click()
    page.wait_for_url(re.compile(r"/try/runs/[\w-]+#run$"), timeout=RUN_MS)
    expect(page.locator("#run")).to_be_focused()  # autofocus: HTML, no script
    assert _in_view(page, "#run")
    expect(page.locator("#player .keys")).to_be_hidden()
    page.screenshot(path=str(shots / "run-landed-nojs-phone.png"))
    context.close()


def test_without_javascript_a_knob_rerun_lands_on_the_new_run_with_focus(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    for _ in range(5):  # a busy machine answers 503 "try again": try again
        page.goto(f"{live_server}/lessons/async-http-client-calls/visualize")
        if page.locator("#player-stage").count():
            break
        page.wait_for_timeout(3_000)
    form = page.locator("#form-0")
    form.get_by_label("Add a blocking time.sleep").check()
    form.get_by_role("button", name="Run it for real").click()
    page.wait_for_url(re.compile(r"/visualize/runs/[\w-]+#player$"), timeout=RUN_MS)
    expect(page.locator("#player")).to_be_focused()
    expect(page.locator("#player .run-facts")).to_contain_text("blocking_sleep")
    assert _in_view(page, "#player")
    context.close()
