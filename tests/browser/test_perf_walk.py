"""Perf mode in chromium against the real app and real trace workers: the numbers mean it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = pytest.mark.browser

PERF = "/lessons/async-http-client-calls/perf"
GATHER = "#perf-perf-sequential-vs-gather"
RUNS_S = 60_000  # ms: real runs, queued behind each other on a small machine


def _wall_ms(section: Locator) -> tuple[float, float]:
    cells = section.locator("table.perf-figures tr.is-metric td")
    slow, fast = (float(re.sub(r"[^0-9.]", "", text)) for text in cells.all_inner_texts())
    return slow, fast


def test_gather_beats_one_by_one_by_about_the_number_of_calls(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}{PERF}")
    section = page.locator(GATHER)
    # The page comes at once; each comparison fills in when its two runs are recorded.
    expect(section.locator(".perf-verdict")).to_be_visible(timeout=RUNS_S)
    expect(section.locator("figure.timeline")).to_have_count(2)

    n = 5
    section.get_by_label(re.compile("Number of calls")).fill(str(n))
    section.get_by_role("button", name="Measure with N calls").click()
    section = page.locator(GATHER)
    verdict = section.locator(".perf-verdict")
    expect(verdict).to_contain_text(f"for {n} calls", timeout=RUNS_S)
    expect(section.locator("code", has_text=f"one_by_one(URLS[:1] * {n})").first).to_be_visible()
    slow, fast = _wall_ms(section)
    assert n / 2 <= slow / fast <= n * 1.5, (slow, fast)
    assert page.url.endswith(PERF)  # swapped in place

    # Both timelines share an axis: the same tick labels, and the fast run's lanes end sooner.
    ticks = [t.all_inner_texts() for t in section.locator(".tl-axis").all()]
    assert ticks[0] == ticks[1]
    section.locator("summary", has_text="The timeline in words").first.click()
    # lanes carry the learner's names: the traced call, never an internal "main"
    expect(section.locator(".tl-words li").first).to_contain_text("task one_by_one(")


def test_without_javascript_the_page_waits_for_the_runs(browser: Browser, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server}{PERF}", timeout=RUNS_S)
        page.wait_for_url(re.compile(r"wait=true"), timeout=RUNS_S)
        expect(page.locator(".perf-verdict")).to_have_count(3, timeout=RUNS_S)
        expect(page.locator(".perf-pending")).to_have_count(0)
        slow, fast = _wall_ms(page.locator(GATHER))
        assert slow > fast
    finally:
        context.close()
