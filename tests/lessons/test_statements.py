"""``lessons.statements``: facts stated in free prose are backed by a run, or are inputs."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from check_fakes import FakeRunner
from lesson_helpers import TINY, edit_yaml
from rich.console import Console

from lessons import CONTENT_ROOT, load_lesson
from lessons.check import main
from lessons.models import Evidence, Myth, Question, Titled
from lessons.statements import statements, unbacked
from lessons.walk import dotted

# --- what counts as a statement -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("The three requests take about 1 s together.", ["1 s"]),
        ("The pool holds 10 connections.", ["10 connections"]),
        ("A missing page returns 404.", ["404"]),
        ("It answers 429s when hammered.", ["429s"]),
        ("A 100-connection pool is httpx's default.", ["100-connection"]),
        ("It opens three TCP connections and waits 200 ms.", ["three TCP connections", "200 ms"]),
        ("Never more than 5 at once; 2.5x faster.", ["5 at once", "2.5x"]),
        ("The slow call raises `httpx.ReadTimeout`.", ["ReadTimeout"]),
    ],
)
def test_numbers_with_units_statuses_and_raised_exceptions_are_statements(
    text: str, stated: list[str]
) -> None:
    assert [statement.text for statement in statements(text)] == stated


@pytest.mark.parametrize(
    "text",
    [
        "Set `timeout=5.0` and `limits=httpx.Limits(max_connections=10)`.",  # code is an input
        "Step 3 shows it; see lesson 2, milestone 1 and row 4.",  # ordinals
        "httpx 0.28 on Python 3.11 speaks HTTP/1.1 and HTTP/2.",  # versions
        "httpx issue #557 explains it.",  # a reference
        "```python\nawait asyncio.sleep(0.4)  # 3 connections\n```",  # fenced code
        "Call `/delay/0.4` with `Semaphore(3)`.",
        "It gives up when `response.status_code >= 400` and `wait_s = 2 s`.",  # a code span
        "Catch `httpx.HTTPError` and `ValueError` around the call.",  # names, no outcome
        "It raises `httpx.HTTPError` or a `TimeoutException`.",  # families
        "It raises an error, a `TimeoutException` like `ConnectTimeout`.",  # another clause
        "A monitoring job checks hundreds of health endpoints.",  # not a unit: 'hundreds of'
        "Three calls, each to a different service.",  # how many calls the code makes
        "It sent 200 requests; Brysbaert (2019) reads 238 words a minute.",  # counts, a year
    ],
)
def test_code_ordinals_versions_families_and_counts_of_work_are_not_statements(
    text: str,
) -> None:
    assert statements(text) == []


def test_a_bare_value_in_backticks_is_a_result_not_code() -> None:
    assert [s.text for s in statements("Both return `[200, 404]`.")] == ["200", "404"]


def test_a_statement_names_its_whole_sentence() -> None:
    [statement] = statements("First this.\n\nThen it takes\n0.9 s in all. And then that.")
    assert statement.sentence == "Then it takes 0.9 s in all."


# --- what backs a statement, in a lesson ----------------------------------------------------------


def _unbacked_in(tiny: Path, file: str, change: Any) -> list[tuple[str, str]]:
    edit_yaml(tiny / file, change)
    return [(u.label, u.statement) for u in unbacked(load_lesson(tiny))]


def test_an_unbound_number_in_a_task_text_is_flagged_with_its_file_field_and_sentence(
    tiny: Path,
) -> None:
    def lie(data: Any) -> None:
        data["challenges"][0]["task"] = "Return the body of /data. The pool holds 10 connections."

    [found] = unbacked(load_lesson(tiny)) or [None]  # the fixture itself states nothing
    assert found is None
    edit_yaml(tiny / "challenge.yaml", lie)
    [found] = unbacked(load_lesson(tiny))
    assert (found.label, found.statement) == ("challenge.yaml: challenges.0.task", "10 connections")
    assert found.sentence == "The pool holds 10 connections."
    assert "which no run backs" in found.message


def test_a_task_text_is_bound_by_the_says_of_the_challenges_own_evidence(
    content_root: Path,
) -> None:

    task = "Return the body of /data. It opens 1 TCP connection to fetch it."
    evidence = {
        "example": "fetch",
        "says": ["It opens {tcp_connects} TCP connection"],
        "expect": {"no_error": True},
        "counter": {"example": "no_await", "changes": "the await left out",
                    "rejects_on": ["no_error"]},
    }  # fmt: skip
    folder = content_root / TINY
    edit_yaml(folder / "challenge.yaml", lambda data: data["challenges"][0].update(task=task))
    assert [u.statement for u in unbacked(load_lesson(folder))] == ["1 TCP connection"]

    edit_yaml(
        folder / "challenge.yaml", lambda data: data["challenges"][0].update(evidence=evidence)
    )
    assert unbacked(load_lesson(folder)) == []
    # and the binding is checked on the run like any other: 1 connect measured, 1 stated
    console = Console(file=io.StringIO(), width=200, color_system=None, soft_wrap=True)
    assert main(root=content_root, runner=FakeRunner(), console=console) == 0
    edit_yaml(
        folder / "challenge.yaml",
        lambda data: data["challenges"][0].update(task=task.replace("1 TCP", "2 TCP")),
    )
    assert main(root=content_root, runner=FakeRunner(), console=console) == 1
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "✗ tiny-lesson/challenge.yaml: challenges.0.evidence.0" in text
    assert "the run measured 'It opens 1 TCP connection'" in text


def test_a_number_a_check_is_configured_with_is_an_input_of_its_exercise(tiny: Path) -> None:
    def wall_time(data: Any) -> None:
        challenge = data["challenges"][0]
        challenge["task"] = "Return the body of /data in under 1.5 s."
        challenge["checks"].append(
            {
                "id": "fast",
                "kind": "wall_time",
                "run": "data",
                "slowest_ms": 500,
                "at_most": 3,
                "text": "The loop waits under 1.5 s.",
            }
        )
        challenge["wrong"][0]["fails"].append("fast")

    assert _unbacked_in(tiny, "challenge.yaml", wall_time) == []

    def other(data: Any) -> None:
        data["challenges"][0]["task"] = "Return the body of /data in under 2.5 s."

    assert _unbacked_in(tiny, "challenge.yaml", other) == [
        ("challenge.yaml: challenges.0.task", "2.5 s")
    ]


def test_a_delay_the_examples_are_written_with_is_an_input_and_another_is_not(
    tiny: Path,
) -> None:
    source = (tiny / "examples" / "fetch.py").read_text()
    (tiny / "examples" / "fetch.py").write_text(source + "\nPAUSE_S = 0.3\n")

    def say(seconds: str) -> Any:
        return lambda data: data["challenges"][0].update(task=f"The upstream waits {seconds}.")

    assert _unbacked_in(tiny, "challenge.yaml", say("0.3 s")) == []
    assert _unbacked_in(tiny, "challenge.yaml", say("300 ms")) == []
    assert _unbacked_in(tiny, "challenge.yaml", say("0.7 s")) == [
        ("challenge.yaml: challenges.0.task", "0.7 s")
    ]


def test_only_a_placeholder_of_a_says_phrase_binds_a_number() -> None:
    evidence = Evidence.model_validate(
        {
            "example": "e",
            "says": ["over {tcp_connects} connections in 0.4 s"],
            "expect": {"no_error": True},
            "counter": {"example": "o", "changes": "c", "rejects_on": ["no_error"]},
        }
    )
    part = Titled(title="t", body="It ran over 3 connections in 0.4 s.", evidence=(evidence,))
    lesson = load_lesson(CONTENT_ROOT / "one-client")
    lesson = lesson.model_copy(
        update={"deep": lesson.deep.model_copy(update={"expert_zone": (part,)})}
    )
    found = [(u.label, u.statement) for u in unbacked(lesson)]
    # the count comes from the run; the literal duration in the phrase does not
    assert found == [("deep.yaml: expert_zone.0.body", "0.4 s")]


def test_httpx_default_pool_size_is_a_claim_unless_a_run_measures_it() -> None:
    def flagged(says: list[str]) -> list[str]:
        evidence = Evidence.model_validate(
            {
                "example": "e",
                "says": says,
                "expect": {"returns_contains": "max_connections="},
                "counter": {"example": "o", "changes": "c", "rejects_on": ["returns_contains"]},
            }
        )
        body = "httpx's default is a 100-connection pool."
        part = Titled(title="t", body=body, evidence=(evidence,))
        deep = lesson.deep.model_copy(update={"expert_zone": (part,)})
        return [u.statement for u in unbacked(lesson.model_copy(update={"deep": deep}))]

    lesson = load_lesson(CONTENT_ROOT / "one-client")
    assert flagged([]) == ["100-connection"]
    assert flagged(["a {result:num}-connection pool"]) == []


def test_a_count_evidence_asserts_on_its_own_fact_is_backed_and_another_is_not() -> None:
    def titled(body: str) -> Titled:
        evidence = Evidence.model_validate(
            {
                "example": "e",
                "expect": {"tcp_connects": 3, "connections_reused": 1},
                "counter": {"example": "o", "changes": "c", "rejects_on": ["tcp_connects"]},
            }
        )
        return Titled(title="t", body=body, evidence=(evidence,))

    lesson = load_lesson(CONTENT_ROOT / "one-client")

    def flagged(body: str) -> list[str]:
        deep = lesson.deep.model_copy(update={"expert_zone": (titled(body),)})
        return [u.statement for u in unbacked(lesson.model_copy(update={"deep": deep}))]

    assert flagged("Three clients open 3 TCP connections.") == []
    # "over 1 connection" where the evidence expects 3 connects (and 1 reused request)
    assert flagged("All of it went over 1 connection.") == ["1 connection"]


def test_wrong_options_and_a_busted_myth_state_nothing_but_explanations_do() -> None:
    question = Question.model_validate(
        {
            "id": "q",
            "question": "Ten requests through a pool of 2: how long?",
            "options": [
                {"id": "right", "text": "Five rounds.", "explanation": "As the pool allows."},
                {"id": "wrong", "text": "Exactly 0.7 s.", "explanation": "It took 0.8 s."},
            ],
            "answer": "right",
        }
    )
    myth = Myth(id="m", claim="A pool opens 7 connections.", holds=False, reality="r", why="w")
    lesson = load_lesson(CONTENT_ROOT / "one-client")
    recall = lesson.recall.model_copy(update={"quiz": (question,)})
    deep = lesson.deep.model_copy(update={"myths": (myth,)})
    found = [
        (u.label, u.statement)
        for u in unbacked(lesson.model_copy(update={"recall": recall, "deep": deep}))
    ]
    assert found == [("recall.yaml: quiz.0.options.1.explanation", "0.8 s")]
    held = deep.model_copy(update={"myths": (myth.model_copy(update={"holds": True}),)})
    found = [(u.label, u.statement) for u in unbacked(lesson.model_copy(update={"deep": held}))]
    assert found == [("deep.yaml: myths.0.claim", "7 connections")]


def test_an_exception_no_run_of_the_lesson_raised_is_flagged(tiny: Path) -> None:
    def say(name: str) -> Any:
        return lambda data: data["challenges"][0].update(task=f"A bad URL raises `{name}`.")

    # the tiny lesson's no_await example is expected to end with AttributeError
    assert _unbacked_in(tiny, "challenge.yaml", say("AttributeError")) == []
    assert _unbacked_in(tiny, "challenge.yaml", say("httpx.InvalidURL")) == [
        ("challenge.yaml: challenges.0.task", "InvalidURL")
    ]


# --- `lessons check` reports them, and every lesson of the course is clean ----------------------


def test_lessons_check_fails_on_an_unbacked_sentence_and_names_it(content_root: Path) -> None:

    edit_yaml(
        content_root / TINY / "project.yaml",
        lambda data: data["steps"][0].update(task="The three requests take about 1.7 s together."),
    )
    console = Console(file=io.StringIO(), width=200, color_system=None, soft_wrap=True)

    assert main(root=content_root, runner=FakeRunner(), console=console) == 1

    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "✗ tiny-lesson/project.yaml: steps.0.task\n" in text
    assert "'1.7 s', which no run backs" in text
    assert "'The three requests take about 1.7 s together.'" in text
    assert text.rstrip().endswith("7 passed, 1 failed (1 lessons)")


COURSE = [path.name for path in sorted(CONTENT_ROOT.iterdir()) if (path / "lesson.yaml").is_file()]


@pytest.mark.parametrize("slug", COURSE)
def test_every_fact_a_lesson_states_in_free_prose_is_backed_or_an_input(slug: str) -> None:
    found = unbacked(load_lesson(CONTENT_ROOT / slug))
    assert not found, "\n".join(f"{u.label}: {u.statement!r} in {u.sentence!r}" for u in found)


def test_labels_are_the_dotted_path_of_the_field() -> None:
    assert dotted(("challenges", 0, "task")) == "challenges.0.task"
