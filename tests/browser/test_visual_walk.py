from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

VISUAL = "/lessons/async-http-client-calls/visualize"


def variable(page: Page, name: str) -> str:
    return page.locator(f'#player [data-var="{name}"] dd').inner_text()


def test_stepping_through_the_canonical_run(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}{VISUAL}")
    expect(page.locator("#player")).to_have_attribute("data-status", re.compile("^Step 1 of 7"))

    page.locator('#player a[data-step-nav="next"]').click()
    expect(page.locator("#player")).to_have_attribute("data-status", re.compile("^Step 2 of"))
    assert variable(page, "client").startswith("AsyncClient (open)")
    assert re.search(r"/visualize/runs/[\w-]+\?step=2$", page.url)

    page.locator("#player").click(position={"x": 5, "y": 5})  # keys work away from inputs
    page.keyboard.press("ArrowRight")
    expect(page.locator("#player")).to_have_attribute("data-status", re.compile("^Step 3 of"))
    page.keyboard.press("ArrowRight")
    expect(page.locator("#player")).to_have_attribute("data-status", re.compile("^Step 4 of"))
    assert variable(page, "response").startswith("Response [200 OK]")
    assert variable(page, "client").startswith("AsyncClient (open)")
    expect(page.locator("#step-4")).to_have_attribute("aria-current", "step")

    page.keyboard.press("ArrowRight")
    expect(page.locator("#player")).to_have_attribute("data-status", re.compile("^Step 5 of"))
    assert variable(page, "client").startswith("AsyncClient (closed)")

    page.keyboard.press("End")
    expect(page.locator("#player")).to_have_attribute("data-status", re.compile("^Step 7 of 7"))
    page.keyboard.press("Home")
    expect(page.locator("#player")).to_have_attribute("data-status", re.compile("^Step 1 of 7"))

    # A link to a step is a whole page of its own.
    page.goto(re.sub(r"\?step=\d+$", "", page.url) + "?step=5")
    assert variable(page, "client").startswith("AsyncClient (closed)")


def _run_with_latency(page: Page, latency: str) -> float:
    form = page.locator("#form-0")
    form.locator('input[name="latency"]').fill(latency)
    form.get_by_role("button", name="Run it for real").click()
    call = page.locator("#player .run-call code")
    expect(call).to_contain_text(f"/delay/{latency}", timeout=15_000)
    wall = page.locator("#player [data-wall-ms]").inner_text()
    return float(wall.replace(",", "").removesuffix(" ms"))


def test_the_latency_knob_reruns_for_real(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}{VISUAL}")
    quick = _run_with_latency(page, "0.0")
    slow = _run_with_latency(page, "1.0")
    # The server's delay is what the run waited for: the wall time grows by about that much,
    # and the timeline shows a "wait" segment for the response.
    assert slow > quick + 500
    assert re.search(r"/visualize/runs/[\w-]+$", page.url)
    expect(page.locator("#player .tl-seg.tl-wait").first).to_be_attached()
