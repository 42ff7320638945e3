from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

VISUAL = "/lessons/async-http-client-calls/visualize"
STEP_MS = 15_000  # a step is one small request, but the machine may be busy with other runs
RUN_MS = 60_000  # real runs, queued behind each other on a small machine
# What must stay on screen together while stepping at 1280x800.
ON_SCREEN = {
    "the controls": "#player-stage .step-nav",
    "the current code line": "#player-stage .code-line.is-current",
    "the current step": "#player-stage .now-step",
    "the variables": "#player-stage .vars-now",
    "the loop panel": "#player-stage .loop-panel",
}


def variable(page: Page, name: str) -> str:
    return page.locator(f'#player-stage [data-var="{name}"] dd').inner_text()


def at_step(page: Page, step: int, total: int | None = None) -> None:
    of = f" of {total}" if total else " of"
    expect(page.locator("#player-stage")).to_have_attribute(
        "data-status", re.compile(f"^Step {step}{of}"), timeout=STEP_MS
    )


def open_visual(page: Page, url: str) -> None:
    """Open Visual as a learner would; a busy machine answers 503 "try again", so try again."""
    for _ in range(5):
        page.goto(url)
        if page.locator("#player-stage").count():
            return
        page.wait_for_timeout(3_000)
    expect(page.locator("#player-stage")).to_be_attached()


def off_screen(page: Page) -> list[str]:
    """The parts of the player that are not wholly inside the viewport."""
    missing = []
    for name, selector in ON_SCREEN.items():
        box = page.locator(selector).bounding_box()
        viewport = page.viewport_size
        assert viewport is not None
        if box is None or box["y"] < 0 or box["y"] + box["height"] > viewport["height"]:
            missing.append(f"{name} ({box})")
    return missing


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def test_the_player_stays_on_one_screen_at_1280x800(desktop: Page, live_server: str) -> None:
    page = desktop
    open_visual(page, f"{live_server}{VISUAL}")
    at_step(page, 1, 7)

    page.locator('#player-stage a[data-step-nav="next"]').click()
    at_step(page, 2)
    assert off_screen(page) == []
    assert variable(page, "client").startswith("AsyncClient (open)")
    assert re.search(r"/visualize/runs/[\w-]+\?step=2$", page.url)
    scrolled = page.evaluate("window.scrollY")

    # Next again: nothing moves, everything is still in view.
    page.locator('#player-stage a[data-step-nav="next"]').click()
    at_step(page, 3)
    assert off_screen(page) == []
    assert page.evaluate("window.scrollY") == scrolled

    # The keyboard, away from the inputs.
    page.keyboard.press("ArrowRight")
    at_step(page, 4)
    assert off_screen(page) == []
    assert variable(page, "response").startswith("Response [200 OK]")
    assert page.evaluate("window.scrollY") == scrolled

    # The slider steps the trace (a key on the slider changes it), and keeps its focus.
    slider = page.locator("#step-range")
    slider.focus()
    slider.press("ArrowRight")
    at_step(page, 5)
    assert off_screen(page) == []
    assert variable(page, "client").startswith("AsyncClient (closed)")
    expect(page.locator("#step-range")).to_be_focused()
    expect(page.locator("#step-range")).to_have_value("5")
    assert page.evaluate("window.scrollY") == scrolled

    # The tables below follow the step without being swapped: a fold opened stays open.
    table = page.locator("details.run-part", has=page.locator(".trace-table"))
    table.locator("summary").click()
    expect(page.locator("#step-5")).to_have_attribute("aria-current", "step")
    page.locator("#step-6 a").scroll_into_view_if_needed()
    page.locator("#step-6 a").click()
    at_step(page, 6)
    assert off_screen(page) == []  # a step link lands on the player
    expect(table).to_have_attribute("open", "")
    expect(page.locator("#step-6")).to_have_attribute("aria-current", "step")
    expect(page.locator("#step-5")).not_to_have_attribute("aria-current", "step")

    page.keyboard.press("Home")
    at_step(page, 1, 7)
    page.keyboard.press("End")
    at_step(page, 7, 7)


def test_visual_reached_from_the_mode_bar_has_its_styles_and_keys(
    desktop: Page, live_server: str
) -> None:
    """htmx keeps the first page's <head>: Visual's stylesheet and script come with the page."""
    page = desktop
    page.goto(f"{live_server}/lessons/async-http-client-calls")
    page.locator("#mode-bar").get_by_role("link", name=re.compile("^Visual")).click()
    expect(page.locator("#player-stage")).to_be_attached(timeout=RUN_MS)
    at_step(page, 1, 7)
    page.wait_for_load_state("networkidle")  # the page's own stylesheet and script, fetched
    sheets = page.evaluate("[...document.styleSheets].map((sheet) => sheet.href || '')")
    assert any("/static/visual.css" in href for href in sheets)
    page.keyboard.press("ArrowRight")  # visual.js: the keys step the trace
    at_step(page, 2)
    assert off_screen(page) == []  # visual.css: the player is on one screen


def test_without_javascript_each_step_lands_at_the_player(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    open_visual(page, f"{live_server}{VISUAL}")
    page.locator('#player-stage a[data-step-nav="next"]').click()
    assert page.url.endswith("?step=2#player")
    at_step(page, 2)
    assert off_screen(page) == []
    page.locator("#step-range").fill("4")
    page.get_by_role("button", name="Show").click()
    assert re.search(r"\?step=4#player$", page.url)
    assert variable(page, "response").startswith("Response [200 OK]")
    context.close()


def test_a_knob_rerun_moves_focus_to_the_new_run(desktop: Page, live_server: str) -> None:
    page = desktop
    open_visual(page, f"{live_server}{VISUAL}")
    at_step(page, 1, 7)
    form = page.locator("#form-0")
    no_await = form.get_by_label("Remove the await")
    sleep = form.get_by_label("Add a blocking time.sleep")
    no_await.check()
    sleep.check()  # one choice: picking one what-if drops the other
    expect(no_await).not_to_be_checked()
    form.get_by_role("button", name="Run it for real").click()

    expect(page.locator("#player")).to_be_focused(timeout=RUN_MS)
    expect(page.locator("#run-status")).to_contain_text("Run finished")
    expect(page.locator("#player .run-facts")).to_contain_text("blocking_sleep")
    assert off_screen(page) == []  # the new run is where the learner is
    expect(page.locator("#player .flag-blocked").first).to_be_visible()


def test_on_a_phone_the_player_stacks(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    open_visual(page, f"{live_server}{VISUAL}")
    at_step(page, 1, 7)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 9000, f"the page is {height} px tall"
    code = page.locator("#player-stage .stage-code").bounding_box()
    now = page.locator("#player-stage .stage-now").bounding_box()
    assert code is not None
    assert now is not None
    assert now["y"] >= code["y"] + code["height"]  # stacked, the code first
    page.locator('#player-stage a[data-step-nav="next"]').click()
    at_step(page, 2)
    nav = page.locator("#player-stage .step-nav").bounding_box()
    assert nav is not None
    assert 0 <= nav["y"] < 844  # the controls stay at hand
    context.close()


def _run_with_latency(page: Page, latency: str) -> float:
    form = page.locator("#form-0")
    form.locator('input[name="latency"]').fill(latency)
    form.get_by_role("button", name="Run it for real").click()
    call = page.locator("#player .run-call code")
    expect(call).to_contain_text(f"/delay/{latency}", timeout=RUN_MS)
    wall = page.locator("#player [data-wall-ms]").inner_text()
    return float(wall.replace(",", "").removesuffix(" ms"))


def test_the_latency_knob_reruns_for_real(page: Page, live_server: str) -> None:
    open_visual(page, f"{live_server}{VISUAL}")
    quick = _run_with_latency(page, "0.0")
    slow = _run_with_latency(page, "1.0")
    # The server's delay is what the run waited for: the wall time grows by about that much,
    # and the timeline shows a "wait" segment for the response.
    assert slow > quick + 500
    assert re.search(r"/visualize/runs/[\w-]+$", page.url)
    expect(page.locator("#player .tl-seg.tl-wait").first).to_be_attached()
