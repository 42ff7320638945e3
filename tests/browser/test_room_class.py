"""A workshop room run as a real class, in the browser: the presenter's screen on a projector, a
countdown the server locks at zero, a code item counted live, and the records in words.

The host works on a desktop, the presenter's screen is a second window of the host's browser,
one learner is on a phone. Screenshots of the three are kept in the test's folder (or in
``$LOOPSCOPE_SCREENSHOTS`` when set).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from realservers import app_server

from lessons import load_catalog

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"LOOPSCOPE_SECRET_KEY": "room-class", "LOOPSCOPE_RUN_RATE": "100/minute"}
    with app_server(tmp_path_factory.mktemp("class"), env=env) as (url, _):
        yield url


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LOOPSCOPE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _join(page: Page, base: str, code: str, nickname: str) -> None:
    page.goto(f"{base}/join?code={code}")
    page.get_by_label("Nickname").fill(nickname)
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(re.compile(rf"/rooms/{code}$"))
    expect(page.locator("#live-status")).to_contain_text("Live")


def _create(host: Page, base: str) -> str:
    host.goto(f"{base}/rooms/new")
    host.get_by_role("button", name="Create room").click()
    host.wait_for_url(re.compile(r"/rooms/[A-Z0-9]{6}/host$"))
    expect(host.locator("#live-status")).to_contain_text("Live")
    return host.locator("#join-code").inner_text().strip()


def _open(host: Page, label: str) -> None:
    host.get_by_role("button", name=f"Open {label}", exact=True).click()
    expect(host.locator(".current .item-kind")).to_have_text(f"Now open: {label}")


class Class:
    def __init__(self, browser: Browser) -> None:
        self.contexts: list[BrowserContext] = []
        host_context = self._context(browser, viewport=DESKTOP)
        self.host = host_context.new_page()
        self.presenter = host_context.new_page()  # the projector: the host's second window
        self.ada = self._context(browser, viewport=PHONE, is_mobile=True).new_page()
        self.bob = self._context(browser, viewport=DESKTOP).new_page()

    def _context(self, browser: Browser, **options: object) -> BrowserContext:
        context = browser.new_context(**options)  # type: ignore[arg-type]
        self.contexts.append(context)
        return context

    @property
    def pages(self) -> tuple[Page, Page, Page, Page]:
        return self.host, self.presenter, self.ada, self.bob

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def room_class(browser: Browser) -> Iterator[Class]:
    found = Class(browser)
    yield found
    found.close()


def test_the_presenter_shows_no_answer_until_reveal_and_a_countdown_locks_at_zero(
    room_class: Class, server: str, shots: Path
) -> None:
    host, presenter, ada, bob = (
        room_class.host,
        room_class.presenter,
        room_class.ada,
        room_class.bob,
    )
    code = _create(host, server)
    presenter.goto(f"{server}/rooms/{code}/present")
    expect(presenter.locator("#screen-title")).to_have_text("Join the room")
    _join(ada, server, code, "Ada")
    _join(bob, server, code, "Bob")
    expect(presenter.locator("#joined-count")).to_have_text("2")
    expect(host.locator("#join-details")).to_have_attribute("open", "")

    # Myth 2 renders as in its lesson: its `await` is code, not raw backticks.
    _open(host, "Myth 2")  # its Open button is far down the list of items
    expect(host.locator("#join-details")).not_to_have_attribute("open", "")  # folded
    expect(host.locator("#current")).to_be_focused()
    box = host.locator("#current").bounding_box()
    assert box is not None
    assert 0 <= box["y"] < 200  # back at the top of the screen
    claim = ada.locator("#stage .prompt-question")
    expect(claim.locator("code")).to_have_count(1)
    assert "`" not in claim.inner_text()
    expect(presenter.locator(".screen-options li")).to_have_count(2)

    # Ada answers: the presenter's count moves live, with no distribution and no answer.
    ada.get_by_label("No, it does not").check()
    ada.locator("#commit").click()
    expect(ada.locator("#committed")).to_contain_text("Committed")
    expect(presenter.locator("#answered-count")).to_have_text("1")
    expect(presenter.locator("#tally")).to_contain_text("1 of 2 answered")
    for hidden in (".bar-row", ".tag-answer", ".screen-explanation"):
        expect(presenter.locator(hidden)).to_have_count(0)
    # The host sees who has not answered; the distribution is folded away.
    expect(host.locator("#not-answered li")).to_have_text(["Bob"])
    expect(host.locator("#peek .bars")).not_to_be_visible()
    host.screenshot(path=shots / "host-voting-open.png")  # what is above the fold
    presenter.screenshot(path=shots / "presenter-before-reveal.png")
    ada.screenshot(path=shots / "learner-phone-committed.png", full_page=True)

    # A countdown that locks at zero: everyone sees it; at zero the server closes voting,
    # and Bob, who never answered, is told so without reloading.
    host.get_by_label("Countdown").select_option("10")
    expect(host.get_by_label("Lock voting at zero")).to_be_checked()
    host.locator("#start-countdown").click()
    expect(presenter.locator("#screen-countdown .countdown-left")).to_have_text(
        re.compile(r"^0:(10|0\d)$")
    )
    expect(bob.locator("#countdown .countdown-left")).to_have_text(re.compile(r"^0:(10|0\d)$"))
    presenter.screenshot(path=shots / "presenter-countdown.png")
    expect(bob.locator("#closed")).to_contain_text("Voting on this item is closed", timeout=20_000)
    expect(bob.locator("#commit")).to_have_count(0)
    expect(host.locator("#tally")).to_contain_text("voting closed")
    expect(presenter.locator("#tally")).to_contain_text("voting closed")

    # Reveal: the presenter shows the distribution and the answer, live.
    host.locator("#reveal").click()
    expect(presenter.locator(".bar-row")).to_have_count(2)
    expect(presenter.locator(".bar-row.is-answer .bar-text")).to_have_text("No, it does not")
    expect(presenter.locator(".screen-explanation")).to_be_visible()
    expect(presenter.locator("#tally")).to_contain_text("revealed")
    presenter.screenshot(path=shots / "presenter-after-reveal.png")
    ada.screenshot(path=shots / "learner-phone-revealed.png", full_page=True)


def test_a_code_item_is_counted_live_and_the_csv_names_everything_in_words(
    room_class: Class, server: str, shots: Path
) -> None:
    host, presenter, ada, bob = (
        room_class.host,
        room_class.presenter,
        room_class.ada,
        room_class.bob,
    )
    lesson = load_catalog().lessons[0]
    challenge = lesson.challenge.challenges[0]
    code = _create(host, server)
    _join(ada, server, code, "Ada")
    _join(bob, server, code, "Bob")
    _open(host, "Myth 1")
    ada.get_by_label("No, it does not").check()
    ada.locator("#commit").click()
    expect(host.locator("#answered-count")).to_have_text("1")

    _open(host, "Challenge 1")
    presenter.goto(f"{server}/rooms/{code}/present")
    expect(host.locator("#tally")).to_contain_text("0 of 2 ran their code")
    editor = ada.locator("#room-code")
    expect(editor).to_have_value(lesson.sources[challenge.starter])

    # Ada checks the solution on her phone, Bob the starter: the host counts both live. The
    # editor is the Try and Challenge pages' own (CodeMirror over the textarea).
    code_editor = ada.locator("#code-form .cm-content")
    expect(code_editor).to_contain_text(lesson.sources[challenge.starter].splitlines()[0])
    code_editor.click()
    ada.keyboard.press("Control+A")
    ada.keyboard.press("Delete")
    ada.keyboard.insert_text(lesson.sources[challenge.solution])
    expect(editor).to_have_value(lesson.sources[challenge.solution])
    # The host reveals (an event every page gets): the stage is swapped in live, and what Ada
    # typed and has not sent yet stays in her editor.
    host.locator("#reveal").click()
    expect(ada.locator("#activity")).to_contain_text("The answers to Challenge 1 were revealed")
    expect(editor).to_have_value(lesson.sources[challenge.solution])
    expect(ada.locator("#code-form .cm-editor")).to_have_count(1)
    ada.locator("#run-code").click()
    expect(ada.locator("#code-result")).to_contain_text("Every check passed", timeout=60_000)
    expect(host.locator("#answered-count")).to_have_text("1")
    expect(presenter.locator("#answered-count")).to_have_text("1")
    expect(presenter.locator("#check-tally tbody tr")).to_have_count(len(challenge.checks))
    bob.locator("#run-code").click()
    expect(bob.locator("#code-result")).to_contain_text("Not yet", timeout=60_000)
    expect(host.locator("#answered-count")).to_have_text("2")
    rows = host.locator("#check-tally tbody tr")
    expect(rows).to_have_count(len(challenge.checks))
    expect(host.locator("#most-failing")).to_contain_text("Most common failing check")
    expect(host.locator("#passed-count")).to_have_text("1")
    host.screenshot(path=shots / "host-code-item.png")
    ada.screenshot(path=shots / "learner-phone-code-item.png", full_page=True)

    # The CSV: items, questions and answers in words, each item's correct rate.
    host.get_by_role("button", name="Open Myth 1", exact=True).wait_for()
    with host.expect_download() as download:
        host.locator("#export").click()
    text = Path(download.value.path()).read_text()
    rows_read = list(csv.DictReader(io.StringIO(text)))
    myth = next(r for r in rows_read if r["item"] == "Myth 1")
    assert myth["question"] == lesson.deep.myths[0].claim.replace("`", "")
    assert (myth["nickname"], myth["answer"], myth["correct"]) == ("Ada", "No, it does not", "yes")
    assert myth["item_correct_rate"] == "100%"
    checked = sorted((r["nickname"], r["correct"]) for r in rows_read if r["item"] == "Challenge 1")
    assert checked == [("Ada", "yes"), ("Bob", "no")]
    assert all(r["item_correct_rate"] == "50%" for r in rows_read if r["item"] == "Challenge 1")
    assert not re.search(r"\b(myth|prompt|visual|recall|challenge|try):[a-z]", text)

    # The printable summary says the same in words.
    host.goto(f"{server}/rooms/{code}/summary")
    expect(host.locator(".summary-item")).to_have_count(2)
    expect(host.locator(".summary-rate").first).to_contain_text("correct rate 100%")
    host.emulate_media(media="print")
    expect(host.locator(".site-header")).not_to_be_visible()
    host.screenshot(path=shots / "summary-print.png", full_page=True)
