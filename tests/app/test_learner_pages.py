"""What a learner meets around the editor: early errors, drafts, landing, replay notes, limits.

The fake engine answers with canned traces; the browser tests (tests/browser/) check the same
pages with JavaScript, focus and the real sandbox.
"""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest
from app_factories import SLUG
from app_helpers import HTMX, TemplateRecorder
from trace_fakes import FakeEngine, canonical_trace

from loopscope.runs.practice import MAX_CODE_BYTES
from loopscope.settings import Settings
from loopscope.views.practice import EditorView, ExerciseView, StoppedEarly
from visualizer import ErrorInfo, SandboxStatus
from visualizer.contract.errors import BadCall

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("sandbox")]

TRY = f"/lessons/{SLUG}/try"
CHALLENGE = f"/lessons/{SLUG}/challenge/c1"
PROJECT = f"/lessons/{SLUG}/project/client"
CODE = "import asyncio\n\n\nasync def f(n):\n    await asyncio.sleep(0)\n    return n\n"
MISSING = "f() missing 1 required positional argument: 'n'"


@pytest.fixture
def sandbox(engine: FakeEngine) -> None:
    engine.sandbox = SandboxStatus(True, "")


def _early_error(engine: FakeEngine) -> None:
    """The run of ``f()`` without its argument: Python raises before the first step."""
    engine.trace_answer = canonical_trace().model_copy(
        update={
            "steps": (),
            "events": (),
            "result": None,
            "error": ErrorInfo(type="TypeError", message=MISSING, line=None),
            "wall_ms": 0.0,
        }
    )


class _Tags(HTMLParser):
    """Every start tag's attributes, by tag name, as the browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _attrs(html: str, tag: str, **match: str) -> dict[str, str | None]:
    parser = _Tags()
    parser.feed(html)
    found = [a for t, a in parser.tags if t == tag and all(a.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (tag, match, len(found))
    return found[0]


async def test_a_call_that_fails_before_its_first_step_shows_the_exception_and_keeps_the_code(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, recorder: TemplateRecorder
) -> None:
    _early_error(engine)
    response = await client.post(TRY, data={"csrf_token": token, "code": CODE, "call": "f()"})
    assert response.status_code == 303
    permalink = response.headers["location"].split("#")[0]
    for address in (permalink, f"{permalink}?step=2"):
        page = await client.get(address)
        assert page.status_code == 200
        context = recorder.last.context
        assert context["stopped"] == StoppedEarly("TypeError", MISSING, None)
        assert context["player"] is None
        assert context["view"].editor.code == CODE
        assert context["view"].editor.call == "f()"
        section = _attrs(page.text, "section", id="run")
        assert "data-result" in section
        assert "TypeError" in page.text
        assert "missing 1 required positional argument: &#39;n&#39;" in page.text
    # The permalink lands with the focus on the result; a step link does not move it.
    assert "autofocus" in _attrs((await client.get(permalink)).text, "section", id="run")
    assert "autofocus" not in _attrs(page.text, "section", id="run")
    # htmx stepping asks for a player that does not exist: the page answers, not a 500.
    assert (await client.get(f"{permalink}?step=1", headers=HTMX)).status_code == 200


async def test_a_check_whose_run_fails_before_its_first_step_replays_without_a_500(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, recorder: TemplateRecorder
) -> None:
    _early_error(engine)
    response = await client.post(CHALLENGE, data={"csrf_token": token, "code": CODE})
    await client.get(response.headers["location"].split("#")[0])
    view = recorder.last.context["view"]
    assert isinstance(view, ExerciseView)
    failed = [check for check in view.checks if check.replay_url is not None]
    assert failed
    for check in failed:
        assert check.replay_url is not None
        replay = await client.get(check.replay_url.split("#")[0])
        assert replay.status_code == 200
        assert recorder.last.context["stopped"] is not None
        assert "TypeError" in replay.text


async def test_the_error_page_keeps_aria_describedby_a_separate_attribute(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, app_settings_engine: None
) -> None:
    """An error without a line (a bad call) once glued ``data-editoraria-describedby``."""
    response = await client.post(TRY, data={"csrf_token": token, "code": CODE, "call": "g()"})
    assert response.status_code == 422
    textarea = _attrs(response.text, "textarea", id="try-form-code")
    assert "data-editor" in textarea  # CodeMirror still enhances it
    assert not any("editoraria" in name for name in textarea)
    assert "aria-describedby" not in textarea  # the error is about the call: it describes that
    call = _attrs(response.text, "input", id="try-form-call")
    assert call["aria-describedby"] == "try-form-error"
    assert call["aria-invalid"] == "true"
    # An error in the code (no line: too large) describes the code.
    too_big = "x = 1\n" * (MAX_CODE_BYTES // 6 + 1)
    big = await client.post(TRY, data={"csrf_token": token, "code": too_big, "call": "f()"})
    assert big.status_code == 422
    textarea = _attrs(big.text, "textarea", id="try-form-code")
    assert textarea["aria-describedby"] == "try-form-error"
    assert "data-editor" in textarea
    assert not any("editoraria" in name for name in textarea)
    error = _attrs(response.text, "div", id="try-form-error")
    assert "autofocus" in error  # the page lands on what went wrong
    assert "--call" not in response.text


@pytest.fixture
def app_settings_engine(engine: FakeEngine) -> None:
    """The engine refuses the call the way the real one does for a name the file lacks."""

    async def refuse(request: object) -> object:
        raise BadCall("The call 'g()': name 'g' is not defined")

    engine.trace = refuse  # type: ignore[method-assign]


async def test_the_draft_is_saved_as_the_learner_types_and_a_reload_keeps_it(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, recorder: TemplateRecorder
) -> None:
    html = (await client.get(TRY)).text
    draft_url = _attrs(html, "form", id="try-form")["data-draft-url"]
    assert draft_url == f"http://testserver{TRY}/draft"
    typed = CODE + "# typed, never run\n"
    refused = await client.post(draft_url, data={"code": typed, "call": "f(1)"})
    assert refused.status_code == 403  # without the form's token, nothing is kept
    saved = await client.post(draft_url, data={"csrf_token": token, "code": typed, "call": "f(1)"})
    assert saved.status_code == 204
    await client.get(TRY)
    editor = recorder.last.context["view"].editor
    assert isinstance(editor, EditorView)
    assert (editor.code, editor.call) == (typed, "f(1)")
    # A challenge keeps its own draft; the project one draft for all its milestones.
    challenge_url = _attrs((await client.get(CHALLENGE)).text, "form", id="check-form")
    await client.post(
        str(challenge_url["data-draft-url"]), data={"csrf_token": token, "code": "# mine\n"}
    )
    await client.get(CHALLENGE)
    assert recorder.last.context["view"].editor.code == "# mine\n"
    await client.get(TRY)
    assert recorder.last.context["view"].editor.code == typed
    assert engine.requests == []  # saving a draft runs nothing


async def test_run_and_check_land_on_their_result(
    client: httpx.AsyncClient, token: str, engine: FakeEngine
) -> None:
    engine.trace_answer = canonical_trace()
    run = await client.post(TRY, data={"csrf_token": token, "code": CODE, "call": "f(1)"})
    assert run.headers["location"].endswith("#run")
    page = await client.get(run.headers["location"].split("#")[0])
    assert "autofocus" in _attrs(page.text, "section", id="run")
    check = await client.post(CHALLENGE, data={"csrf_token": token, "code": CODE})
    assert check.headers["location"].endswith("#verdict")
    attempt = await client.get(check.headers["location"].split("#")[0])
    verdict = _attrs(attempt.text, "p", id="verdict")
    assert "autofocus" in verdict
    assert verdict["tabindex"] == "-1"


async def test_a_failed_check_links_to_a_replay_that_says_which_check_sent_you(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, recorder: TemplateRecorder
) -> None:
    engine.trace_answer = canonical_trace().model_copy(update={"wall_ms": 500.0})
    response = await client.post(CHALLENGE, data={"csrf_token": token, "code": CODE})
    await client.get(response.headers["location"].split("#")[0])
    fast = next(c for c in recorder.last.context["view"].checks if c.id == "fast")
    assert fast.passed is False
    assert fast.replay_url is not None
    assert "check=fast" in fast.replay_url
    replay = await client.get(fast.replay_url.split("#")[0])
    note = recorder.last.context["note"]
    assert note.check_id == "fast"
    assert note.step == fast.step
    assert "the timeline" in note.look_at  # a wall-time check is read on the timeline
    aside = _attrs(replay.text, "aside", id="replay-note")
    assert "autofocus" in aside
    assert "It is fast." in replay.text
    # Without ?check= (an old link) the replay still works, with no note.
    await client.get(fast.replay_url.split("?")[0])
    assert recorder.last.context["note"] is None
    assert (await client.get(fast.replay_url.split("?")[0] + "?check=NOPE")).status_code == 422


async def test_over_the_run_allowance_the_editor_says_when_to_run_again(
    client: httpx.AsyncClient, token: str, recorder: TemplateRecorder, settings: Settings
) -> None:
    limit = int(settings.run_rate.split("/")[0])
    for _ in range(limit):
        await client.post(CHALLENGE, data={"csrf_token": token, "code": CODE})
    latest = CODE + "# one more\n"
    refused = await client.post(CHALLENGE, data={"csrf_token": token, "code": latest})
    assert refused.status_code == 429
    wait = int(refused.headers["retry-after"])
    assert recorder.last.template == "lessons/checked.html"  # the editor, not a dead end
    editor = recorder.last.context["view"].editor
    assert editor.code == latest
    assert editor.error == f"Too many runs: wait {wait} s, then try again."
    assert 'id="check-form-code"' in refused.text


async def test_passing_the_last_milestone_says_the_project_is_done(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, recorder: TemplateRecorder
) -> None:
    engine.trace_answer = canonical_trace()  # one TCP connection: the one milestone passes
    await client.get(f"/lessons/{SLUG}/project")
    assert not recorder.last.context["view"].finished
    assert "data-finished" not in (await client.get(f"/lessons/{SLUG}/project")).text
    response = await client.post(PROJECT, data={"csrf_token": token, "code": CODE})
    attempt = await client.get(response.headers["location"].split("#")[0])
    assert recorder.last.context["view"].finished
    assert "the project is done" in attempt.text
    listing = await client.get(f"/lessons/{SLUG}/project")
    assert recorder.last.context["view"].finished
    assert "You finished the project." in listing.text


async def test_a_failed_milestone_does_not_say_the_project_is_done(
    client: httpx.AsyncClient, token: str, engine: FakeEngine, recorder: TemplateRecorder
) -> None:
    canonical = canonical_trace()  # two TCP connections: the milestone (at most 1) fails
    engine.trace_answer = canonical.model_copy(update={"events": canonical.events * 2})
    response = await client.post(PROJECT, data={"csrf_token": token, "code": CODE})
    attempt = await client.get(response.headers["location"].split("#")[0])
    view = recorder.last.context["view"]
    assert view.attempt_passed is False
    assert not view.finished
    assert "the project is done" not in attempt.text


def test_a_check_run_that_drives_the_engine_is_not_shown_as_the_learners_call() -> None:
    def editor(call: str) -> EditorView:
        return EditorView("/x", "", call, False, "Check", None)

    engine_call = '__import__("visualizer.appdriver").appdriver.serve(app)'
    assert editor(engine_call).call_shown is None
    assert editor("fetch_all(URLS)").call_shown == "fetch_all(URLS)"


async def test_the_favicon_is_served_where_browsers_look(client: httpx.AsyncClient) -> None:
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/vnd.microsoft.icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO with one image
    assert b"\x89PNG" in icon.content
    page = (await client.get(TRY)).text
    link = _attrs(page, "link", rel="icon")
    svg = await client.get(str(link["href"]))
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
