"""axe-core over every lesson page, in the states a learner sees them: no violation allowed.

axe is vendored (tests/browser/vendor/, pinned, with its licence) and evaluated into each page;
nothing is fetched. Every rule axe runs by default counts (WCAG 2.x A and AA, best practices).
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from lessons.loader import CONTENT_ROOT
from lessons.models import MODES
from loopscope.web.modepaths import segment_for

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1.min.js"
LESSONS = sorted(p.name for p in CONTENT_ROOT.iterdir() if (p / "lesson.yaml").exists())
RUN_MS = 90_000
# Lessons walked side by side. 2 cores, 5 lessons: 1 at a time 75 s, 2: 63 s, 3: 59 s, 5: 48 s.
AT_ONCE = 5


# Settled: loaded (stylesheets and scripts too), no htmx request in flight (htmx marks the element
# that asked with its request class until the answer is swapped in), and no Perf comparison
# still waiting to ask for its measurement. Not Playwright's "networkidle": that waits half a
# second of silence on every page, a minute of the suite's time for nothing this test reads.
SETTLED = (
    "() => document.readyState === 'complete'"
    " && !document.querySelector('.htmx-request, .perf-pending')"
)


def _violations(page: Page) -> list[str]:
    """axe's violations on the page once it has settled, one line per rule and element."""
    page.wait_for_function(SETTLED, timeout=RUN_MS)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{page.url} {v['id']} ({v['impact']}): {json.dumps(node['target'])} {v['help']}"
        for v in found
        for node in v["nodes"]
    ]


def _mode_url(live_server: str, slug: str, mode: str) -> str:
    base = f"{live_server}/lessons/{slug}"
    return base if mode == "learn" else f"{base}/{segment_for(mode)}"  # type: ignore[arg-type]


def _item_urls(page: Page, list_url: str) -> list[str]:
    page.goto(list_url)
    hrefs: list[str] = page.locator(".exercise-list a").evaluate_all("as => as.map(a => a.href)")
    return hrefs


def test_every_page_of_every_lesson_passes_axe(
    browser_type_launch_args: dict[str, Any], live_server: str
) -> None:
    """Each lesson walked by a learner of its own, ``AT_ONCE`` at a time (each thread with its
    own Playwright and browser: the sync API is one per thread). A walk mostly waits on the
    server (its runs, Perf's measurements), so walks side by side overlap those waits."""

    def walk(slug: str) -> list[str]:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**browser_type_launch_args)
            try:
                return _lesson_violations(browser, live_server, slug)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        seen = [line for found in pool.map(walk, LESSONS) for line in found]
    assert len(LESSONS) >= 5  # the course's lessons were found
    assert not seen, "\n".join(seen)


def _lesson_violations(browser: Browser, live_server: str, slug: str) -> list[str]:
    """Every page of ``slug`` a learner sees, and the states after each action, through axe."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    seen: list[str] = []

    page.goto(f"{live_server}/")
    seen += _violations(page)
    for mode in MODES:
        page.goto(_mode_url(live_server, slug, mode))
        seen += _violations(page)
    for kind in ("challenge", "project"):
        for url in _item_urls(page, f"{live_server}/lessons/{slug}/{kind}"):
            page.goto(url)
            seen += _violations(page)

    # The states after an action: a run, a run that stopped before its first step, a syntax
    # error, a failed check with its replay.
    try_url = _mode_url(live_server, slug, "try")
    page.goto(try_url)
    page.get_by_role("button", name="Run it for real").click()
    page.wait_for_url(re.compile(r"/runs/[\w-]+#run$"), timeout=RUN_MS)
    seen += _violations(page)
    # A call that fails before its first step, whatever the lesson's function: an argument it
    # does not take.
    call = page.locator("#try-form-call")
    call.fill(call.input_value().partition("(")[0] + "(no_such_argument=1)")
    page.get_by_role("button", name="Run it for real").click()
    expect(page.locator("[data-stopped-early]")).to_be_visible(timeout=RUN_MS)
    seen += _violations(page)
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("\nif True\n")
    page.get_by_role("button", name="Run it for real").click()
    expect(page.locator(".form-error")).to_be_visible(timeout=RUN_MS)
    seen += _violations(page)

    [first, *_] = _item_urls(page, f"{live_server}/lessons/{slug}/challenge")
    page.goto(first)
    page.get_by_role("button", name="Check my code").click()
    page.wait_for_url(re.compile(r"/attempts/[\w-]+#verdict$"), timeout=RUN_MS)
    seen += _violations(page)
    replay = page.locator("a[data-replay-link]").first
    if replay.count():
        replay.click()
        expect(page.locator("#replay-note")).to_be_visible()
        seen += _violations(page)

    page.goto(f"{live_server}/lessons/{slug}/no-such-mode")
    seen += _violations(page)
    context.close()
    return seen


def test_every_room_page_passes_axe(browser: Browser, live_server: str) -> None:
    """The workshop pages, for the host (new, host, presenter, summary) and a learner (join,
    the room with an item open, after the reveal)."""
    host_context = browser.new_context(viewport={"width": 1280, "height": 800})
    host = host_context.new_page()
    seen: list[str] = []

    host.goto(f"{live_server}/rooms/new")
    seen += _violations(host)
    host.get_by_role("button", name="Create room").click()
    host.wait_for_url(re.compile(r"/rooms/[A-Z0-9]{6}/host$"))
    code = host.locator("#join-code").inner_text().strip()
    seen += _violations(host)

    learner_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    learner = learner_context.new_page()
    learner.goto(f"{live_server}/join?code={code}")
    seen += _violations(learner)
    learner.get_by_label("Nickname").fill("ada")
    learner.get_by_role("button", name="Join").click()
    learner.wait_for_url(re.compile(rf"/rooms/{code}$"))
    seen += _violations(learner)

    host.locator("#next").click()
    expect(host.locator(".current")).to_be_visible()
    seen += _violations(host)
    expect(learner.locator("form button").first).to_be_visible(timeout=10_000)
    seen += _violations(learner)

    presenter = host_context.new_page()
    presenter.goto(f"{live_server}/rooms/{code}/present")
    seen += _violations(presenter)
    host.locator("#reveal").click()
    expect(presenter.locator("body")).to_contain_text("%", timeout=10_000)
    seen += _violations(presenter)
    seen += _violations(learner)

    host.goto(f"{live_server}/rooms/{code}/summary")
    seen += _violations(host)
    host_context.close()
    learner_context.close()
    assert not seen, "\n".join(seen)
