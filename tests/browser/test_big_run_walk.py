"""Gather, pool-limited and big runs keep the player on one 1280x800 screen, step after step.

Each run is the learner's own code through Try (as a learner runs it); screenshots of every
checked step go to ``$LOOPSCOPE_SCREENSHOTS`` when it is set, to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from test_visual_walk import ON_SCREEN, RUN_MS, STEP_MS

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "lessons" / "content" / "async-http-client-calls" / "examples"
TRY = "/lessons/async-http-client-calls/try"
BIG = """\
import asyncio

import httpx


async def fetch(client, number):
    response = await client.get("https://api.example.com/json")
    return response.status_code


async def main(rounds):
    async with httpx.AsyncClient() as client:
        for _ in range(rounds):
            statuses = await asyncio.gather(*(fetch(client, n) for n in range(10)))
    return len(statuses)
"""
RUNS = {
    "gather": ((EXAMPLES / "step5_gather.py").read_text(), "all_at_once()"),
    "pool": ((EXAMPLES / "challenge_bounded_limits.py").read_text(), "fetch_all()"),
    "big": (BIG, "main(30)"),
}


@pytest.fixture
def desktop(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server)
    yield context.new_page()
    context.close()


def run_of(page: Page, code: str, call: str) -> str:
    """Run ``code`` through Try as the learner's own code: the run page's address."""
    page.goto(TRY)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    for _ in range(5):  # a busy machine answers 503 "try again"
        answer = page.request.post(
            TRY,
            form={"csrf_token": token, "code": code, "call": call},
            max_redirects=0,
            timeout=RUN_MS,
        )
        if answer.status == 303:  # to the run page, landing on its result (``#run``)
            return answer.headers["location"].partition("#")[0]
        page.wait_for_timeout(2_000)
    raise AssertionError(f"the run was refused: {answer.status}")


def off_screen(page: Page) -> list[str]:
    """The parts of the stage not wholly inside the viewport; a step without a line (a task
    started by ``gather``) has no current code line to show."""
    viewport = page.viewport_size
    assert viewport is not None
    missing = []
    for name, selector in ON_SCREEN.items():
        found = page.locator(selector)
        if name == "the current code line" and found.count() == 0:
            continue
        box = found.bounding_box()
        if box is None or box["y"] < 0 or box["y"] + box["height"] > viewport["height"]:
            missing.append(f"{name} ({box})")
    return missing


def scrolls_inside(page: Page) -> list[str]:
    """Panels of the stage whose content is taller than the panel (they would scroll)."""
    panels = "#player-stage :is(.loop-panel, .task-states, .vars-now, .now-step)"
    found: list[str] = page.evaluate(
        """(panels) => [...document.querySelectorAll(panels)]
             .filter((el) => el.scrollHeight > el.clientHeight + 1).map((el) => el.className)""",
        panels,
    )
    return found


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("LOOPSCOPE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


@pytest.mark.parametrize("name", list(RUNS))
def test_the_player_of_a_real_run_stays_on_one_screen(desktop: Page, name: str) -> None:
    page = desktop
    code, call = RUNS[name]
    url = run_of(page, code, call)
    page.goto(url)
    stage = page.locator("#player-stage")
    total = int(stage.get_attribute("data-total") or "0")
    assert total > 5
    every = max(total // 12, 1)  # a dozen steps along the run: their texts differ in length
    for step in sorted({2, *range(every, total, every), total - 1}):
        page.goto(f"{url}?step={step}#player")
        expect(stage).to_have_attribute("data-step", str(step), timeout=STEP_MS)
        shot(page, f"{name}-step{step}")
        assert off_screen(page) == [], f"{name} at step {step}"
        assert scrolls_inside(page) == [], f"{name} at step {step}"
    # Stepping with the keys swaps the stage (and, for a long run, its windows) in place.
    page.locator("#player-stage a[data-step-nav='next']").focus()
    page.keyboard.press("ArrowRight")
    expect(stage).to_have_attribute("data-step", str(total), timeout=STEP_MS)
    assert off_screen(page) == []
    if name == "big":
        rows = page.locator("#player-rows tr[data-step-row]")
        expect(page.locator(f"#player-rows #step-{total}")).to_be_attached(timeout=STEP_MS)
        assert rows.count() <= 30
        expect(page.locator("#player-rows")).to_contain_text(re.compile(r"Showing steps"))
        shot(page, f"{name}-last")


def test_without_javascript_the_window_links_move_the_table(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, java_script_enabled=False, base_url=live_server
    )
    page = context.new_page()
    url = run_of(page, BIG, "main(30)")
    page.goto(f"{url}?step=1#player")
    page.locator("summary", has_text="Execution table").click()
    page.locator("#player-rows a", has_text="Later steps").click()
    expect(page.locator("#player-stage")).to_have_attribute("data-step", "41", timeout=STEP_MS)
    expect(page.locator("#player-rows #step-31")).to_be_attached()
    expect(page.locator("#player-rows #step-1")).to_have_count(0)
    context.close()
