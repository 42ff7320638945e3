"""On a phone the timeline's labels (axis ticks, the current step's label, lane names) each keep
their own space: none is drawn over another."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

LESSON = "/lessons/async-http-client-calls"

# Every visible label of each timeline on the page, and the pairs whose boxes intersect.
OVERLAPS = """() => {
  const out = [];
  for (const chart of document.querySelectorAll('.tl-chart')) {
    const labels = [...chart.querySelectorAll('.tl-tick, .tl-now-label, .tl-name')]
      .filter(e => e.textContent.trim() && getComputedStyle(e).visibility !== 'hidden'
                   && e.getClientRects().length)
      .map(e => [e.textContent.trim(), e.getBoundingClientRect()]);
    for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
      const [a, r] = labels[i], [b, s] = labels[j];
      const x = Math.min(r.right, s.right) - Math.max(r.left, s.left);
      const y = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
      if (x > 0.5 && y > 0.5) out.push(`${a} / ${b}`);
    }
  }
  return out;
}"""


@pytest.fixture(params=[320, 390])
def phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": request.param, "height": 800}, is_mobile=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", ["/visualize", "/perf"])
def test_no_timeline_label_overlaps_another_on_a_phone(
    phone: Page, live_server: str, path: str
) -> None:
    phone.goto(f"{live_server}{LESSON}{path}")
    expect(phone.locator(".tl-chart").first).to_be_visible(timeout=60_000)
    phone.wait_for_load_state("networkidle")
    assert phone.locator(".tl-tick").count() >= 3  # the check has labels to compare
    assert phone.evaluate(OVERLAPS) == []
