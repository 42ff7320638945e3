"""``lessons.claims``: a part's words held to what its evidence decided and measured."""

from __future__ import annotations

from typing import Any

from lessons.claims import claim_of, exception_names, measured_problems, static_problems
from lessons.models import Evidence, Myth, Question, Titled

COUNTER = {"example": "other", "changes": "c", "rejects_on": ["tcp_connects"]}


def _evidence(**extra: Any) -> Evidence:
    return Evidence.model_validate(
        {"example": "e", "expect": {"tcp_connects": 3}, "counter": COUNTER, **extra}
    )


def _question(answer: str, right_text: str = "It opens 3 TCP connects.") -> Question:
    return Question.model_validate(
        {
            "id": "q",
            "question": "Three clients, three calls: how many connections?",
            "options": [
                {"id": "three", "text": right_text, "explanation": "x"},
                {"id": "one", "text": "One, raising `ConnectError`.", "explanation": "x"},
            ],
            "answer": answer,
        }
    )


def test_a_question_answer_must_be_the_one_its_run_decides() -> None:
    evidence = _evidence(decides="three")
    assert static_problems(claim_of(_question("three"), evidence), evidence.counter) == []
    moved = static_problems(claim_of(_question("one"), evidence), evidence.counter)
    assert moved == ["the run decides the answer is 'three', but the question's answer is 'one'"]
    undecided = _evidence()
    [problem] = static_problems(claim_of(_question("three"), undecided), undecided.counter)
    assert "backed by no outcome" in problem


def test_a_myth_verdict_must_be_the_one_its_run_decides() -> None:
    def myth(holds: bool) -> Myth:
        return Myth(id="m", claim="c", holds=holds, reality="r", why="w")

    evidence = _evidence(decides=False)
    assert static_problems(claim_of(myth(False), evidence), evidence.counter) == []
    [flipped] = static_problems(claim_of(myth(True), evidence), evidence.counter)
    assert "decides the claim holds: false, but the myth says holds: true" in flipped


def test_a_counter_example_without_rejects_on_is_reported() -> None:
    evidence = Evidence.model_validate(
        {"example": "e", "expect": {"tcp_connects": 3}, "counter": {"example": "o", "changes": "c"}}
    )
    part = Titled(title="t", body="b")
    [problem] = static_problems(claim_of(part, evidence), evidence.counter)
    assert "names no rejects_on" in problem


def test_says_quotes_what_the_run_measured() -> None:
    evidence = _evidence(decides="three", says=["opens {tcp_connects} TCP connects"])
    claim = claim_of(_question("three"), evidence)
    assert measured_problems(claim, {"tcp_connects": 3}, ()) == []
    lie, unbacked = measured_problems(claim, {"tcp_connects": 1}, ())
    assert lie == "the run measured 'opens 1 TCP connects', but the text does not say so"
    assert "'3 TCP connects'" in unbacked


def test_a_right_answer_states_no_unbacked_number_and_no_unraised_exception() -> None:
    unbound = _evidence(decides="three")
    [number] = measured_problems(claim_of(_question("three"), unbound), {"tcp_connects": 3}, ())
    assert "'3 TCP connects'" in number
    evidence = _evidence(decides="one")
    claim = claim_of(_question("one"), evidence)
    assert measured_problems(claim, {}, ("httpx.ConnectError",)) == []
    [name] = measured_problems(claim, {}, ("httpx.ReadTimeout",))
    assert "names ConnectError, which none of its runs raised" in name


def test_every_exception_name_a_claim_uses_is_read_httpx_s_url_errors_too() -> None:
    """``UnsupportedProtocol`` and ``InvalidURL`` end in none of the usual suffixes; they were
    once missed, so a claim could name them with no run raising them."""
    text = (
        "A URL without a scheme raises `httpx.UnsupportedProtocol`; one it cannot parse raises "
        "`httpx.InvalidURL`, and a slow one `httpx.ReadTimeout` (an `HTTPError`)."
    )
    assert exception_names(text) == {"UnsupportedProtocol", "InvalidURL", "ReadTimeout"}
