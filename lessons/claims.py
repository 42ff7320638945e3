"""Whether a part's words say what its evidence measured: the claim side of ``lessons check``.

A run can hold while the sentence beside it lies ("the default timeout is 30 s" next to a run
that measured 5). So each piece of evidence is bound to the words of the part that holds it:

    decides     a question's answer (an option id) or a myth's verdict (true/false): what the
                run's outcome shows. It must equal the part's ``answer`` or ``holds``.
    says        phrases of the part's text with {fact} placeholders, filled from the run
                (``lessons.facts``): each filled phrase must appear in the text.
    exception names in a question's right option must be types that its runs raised or caught
                (elsewhere, quote the exception with ``{error}`` in ``says``), and every
                measured quantity it states (``5 seconds``, ``3 TCP connects``) must sit inside
                a filled ``says`` phrase: a right answer never states an unbacked number.

A question or myth with evidence but no ``decides`` is itself a check error: its answer would be
backed by a run whose outcome decides nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from lessons.facts import fill
from lessons.models import Comparison, Counter, Evidence, Expectation, Myth, Question
from lessons.walk import walk

# A name that reads as an exception type: ``httpx.ReadTimeout``, ``ValueError``, ``InvalidURL``.
EXCEPTION_NAME = re.compile(
    r"\b(?:[a-z_]+\.)*([A-Z][A-Za-z]*(?:Error|Exception|Timeout|Closed|NotRead|Group)|"
    r"UnsupportedProtocol|InvalidURL)\b"
)
# A quantity a run can measure: a count or a duration with its unit.
QUANTITY = re.compile(
    r"\b\d+(?:\.\d+)?\s?(?:ms|s|seconds?|(?:TCP )?connections?|TCP connects?|requests?)\b"
)
# Names the text may use as families or background, never as the outcome of a run:
# base classes of what runs raise, and Python's own exceptions named in passing.
FAMILIES = frozenset(
    {
        "HTTPError",
        "RequestError",
        "TransportError",
        "TimeoutException",
        "NetworkError",
        "Exception",
        "BaseException",
        "ExceptionGroup",
        "BaseExceptionGroup",
    }
)


@dataclass(frozen=True, slots=True)
class Claim:
    """The words one piece of evidence is bound to."""

    text: str  # the part's prose, whitespace collapsed
    decides: str | bool | None
    answer: str | bool | None  # the part's answer or verdict; None when it has none
    kind: str  # "question", "myth" or "" (no answer to decide)
    options: tuple[str, ...]
    says: tuple[str, ...]
    names: frozenset[str]  # exception names the right answer uses
    quantities: tuple[str, ...] = ()  # numbers with units the right answer states


def claim_of(owner: BaseModel, evidence: Evidence) -> Claim:
    """What ``evidence`` is bound to in ``owner``, the part whose field holds it."""
    text = prose(owner)
    names: frozenset[str] = frozenset()
    quantities: tuple[str, ...] = ()
    kind: str
    answer: str | bool | None
    options: tuple[str, ...]
    if isinstance(owner, Question):
        kind, answer, options = "question", owner.answer, tuple(o.id for o in owner.options)
        right = next(option for option in owner.options if option.id == owner.answer)
        names = exception_names(right.text)
        given = {match.group() for match in QUANTITY.finditer(owner.question)}
        quantities = tuple(  # a number the question itself gives is restated, not claimed
            match.group() for match in QUANTITY.finditer(right.text) if match.group() not in given
        )
    elif isinstance(owner, Myth):
        kind, answer, options = "myth", owner.holds, ()
    else:
        kind, answer, options = "", None, ()
    return Claim(text, evidence.decides, answer, kind, options, evidence.says, names, quantities)


def prose(owner: BaseModel) -> str:
    """Every string of ``owner`` outside its evidence, whitespace collapsed, in walk order."""
    skip = (Evidence, Counter, Expectation, Comparison)
    parts = [
        node.value
        for node in walk(owner)
        if isinstance(node.value, str) and not isinstance(node.owner, skip)
    ]
    return _collapse(" ".join(parts))


def exception_names(text: str) -> frozenset[str]:
    return frozenset(match.group(1) for match in EXCEPTION_NAME.finditer(text)) - FAMILIES


def static_problems(claim: Claim, counters: Iterable[Counter]) -> list[str]:
    """What is wrong before anything runs: an undecided answer, a counter that flips nothing."""
    found = [
        f"counter-example {_counter_name(counter)} names no rejects_on: say which fact of "
        "expect it flips"
        for counter in counters
        if not counter.rejects_on
    ]
    if claim.kind == "question":
        if claim.decides is None:
            found.append(
                f"the answer {claim.answer!r} is backed by no outcome: give the evidence "
                "`decides: <option id>`"
            )
        elif claim.decides not in claim.options:
            found.append(f"decides {claim.decides!r} is not one of the options {claim.options}")
        elif claim.decides != claim.answer:
            found.append(
                f"the run decides the answer is {claim.decides!r}, but the question's answer "
                f"is {claim.answer!r}"
            )
    elif claim.kind == "myth":
        if not isinstance(claim.decides, bool):
            found.append(
                f"the verdict holds: {str(claim.answer).lower()} is backed by no outcome: give "
                "the evidence `decides: true` or `decides: false`"
            )
        elif claim.decides != claim.answer:
            found.append(
                f"the run decides the claim holds: {str(claim.decides).lower()}, but the myth "
                f"says holds: {str(claim.answer).lower()}"
            )
    elif claim.decides is not None:
        found.append("decides is given, but this part has no answer or verdict to decide")
    return found


def measured_problems(
    claim: Claim, facts: Mapping[str, object], seen_types: Iterable[str]
) -> list[str]:
    """What the words say that the run did not measure."""
    found: list[str] = []
    try:
        filled_phrases = [_collapse(fill(phrase, facts)) for phrase in claim.says]
    except KeyError as exc:  # a counter's or baseline's fact, where its run failed
        return [*found, f"says quotes {exc.args[0]}, but that run measured nothing"]
    for filled in filled_phrases:
        if filled not in claim.text:
            found.append(f"the run measured {filled!r}, but the text does not say so")
    for quantity in claim.quantities:
        if not any(quantity in filled for filled in filled_phrases):
            found.append(
                f"the answer states {quantity!r}, which no `says` phrase binds to a measurement"
            )
    seen = {name.rsplit(".", 1)[-1] for name in seen_types}
    unbacked = sorted(claim.names - seen)
    if unbacked:
        raised = ", ".join(sorted(seen)) or "nothing"
        found.append(
            f"the answer names {', '.join(unbacked)}, which none of its runs raised "
            f"(they raised {raised})"
        )
    return found


def _counter_name(counter: Counter) -> str:
    source = counter.example or counter.file
    return f"{source} ({counter.changes})"


def _collapse(text: str) -> str:
    return " ".join(text.split())
