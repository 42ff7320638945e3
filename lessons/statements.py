"""Facts stated in a lesson's free prose: each must be bound to a run, or be an input.

``says`` binds the phrases a piece of evidence names to what its run measured
(``lessons.claims``). This module reads every other word: every prose field of every file of a
lesson (titles, task texts, check texts, option explanations, notes, ...), sentence by
sentence, for statements a run could measure:

    quantity   a number with a unit or a noun that runs measure: ``0.4 s``, ``200 ms``,
               ``3 TCP connects``, ``ten connections``, ``100-connection``, ``5 at once``,
               ``12 upstream requests``, ``2 threads``, ``3 retries``, ``2.5x faster``
    status     an HTTP status: ``404``, ``a 500``, ``429s``, ``[200, 200]`` written as a value
    exception  an exception type in a clause that says it is raised (``raises``, ``fails
               with``, ``escapes``...): "the slow call raises `httpx.ReadTimeout`"

Not statements: numbers in code (fenced blocks and code spans that hold code, such as
``timeout=5.0`` or ``/delay/0.4``); ordinals, references and versions (``step 3``, ``lesson 2``,
``#557``, ``HTTP/1.1``, ``httpx 0.28``, ``Python 3.11``); how much work the code asks for
("three calls", "twenty requests": the example's setting, not a measurement); family names
(``HTTPError``, ``TimeoutException``...) and exceptions merely named ("catch `ValueError`").

A statement passes when it is

    bound       inside a ``{fact}`` placeholder of a ``says`` phrase of evidence held by its part
                or a part around it (a number written literally in the phrase is not bound);
    asserted    a count that evidence there asserts as the fact its unit names ("3 TCP
                connects" with ``tcp_connects: 3``, "1.25 times faster" with ``faster_than``'s
                factor), or a number inside the ``returns`` it expects; an exception that a run
                of the lesson is expected to show (``raises``, an expected result, an example's
                ``expect_error``, an exercise's ``raises``/``caught``), or a base class of one;
    an input    the same number written as code in the same sentence ("`Semaphore(3)` lets
                three in flight"); a number an exercise's checks and runs are configured with,
                in that exercise's texts ("under 1.4 s" for ``at_most: 2.8`` of
                ``slowest_ms: 500``); a time the lesson's code is written with (``sleep(0.3)``,
                ``/delay/0.4``, ``Timeout(1.0, connect=0.5)``, a call's arguments); a limit it
                sets (``Semaphore(10)``, ``max_connections=5``); a status it asks for or a run
                is expected to return;
    not claimed the setting of a question (its ``question``), a wrong option's text, the claim
                of a myth that does not hold.

Anything else is a check error naming the file, the field and the sentence (``unbacked``).

>>> [s.text for s in statements("All three finish in 0.4 s, not their sum (see step 3).")]
['0.4 s']
>>> [s.text for s in statements("Set `timeout=5.0`; `raise_for_status()` raises HTTPStatusError.")]
['HTTPStatusError']
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from lessons.claims import EXCEPTION_NAME, FAMILIES
from lessons.exercise_checks import (
    Caught,
    Checked,
    Clients,
    InFlight,
    Raises,
    Returns,
    RunSpec,
    Stalls,
    TcpConnects,
    WallTime,
    WrongVariant,
)
from lessons.facts import placeholders
from lessons.fences import fences
from lessons.handlers import KNOWN_MODULES, resolve
from lessons.models import (
    Comparison,
    Counter,
    Evidence,
    Example,
    Expectation,
    Knob,
    Lesson,
    Myth,
    Question,
)
from lessons.walk import Node, Path_, dotted, lesson_parts, walk

StatementKind = Literal["quantity", "status", "exception"]

_SPELLED = (
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|sixty|hundred|a hundred|thousand|a thousand"
)
_NUMBER = rf"(?:\d[\d,]*(?:\.\d+)?|\.\d+|{_SPELLED})"
# What a run measures: durations, counts of what goes on the wire or runs, and ratios.
_UNIT = (
    r"ms|milliseconds?|s|secs?|seconds?|minutes?|"
    r"(?:TCP |open |idle |new |pooled |reused )?(?:connections?|connects?|sockets?)|"
    r"upstream (?:requests?|calls?)|requests? (?:sent|went out|out)|"
    r"threads?|retries|retry|attempts?|"
    r"(?:requests? |calls? |tasks? )?(?:in flight|at once|at a time)|x|"
    r"times (?:faster|slower|as fast|as long|longer)"
)
QUANTITY = re.compile(
    rf"(?<![\w./-])(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\s?[-\u2011]?\s?)(?:{_UNIT})(?![\w])|"
    rf"(?<![\w./-])(?:{_SPELLED})(?:\s|[-\u2011])(?:{_UNIT})(?![\w])",
    re.IGNORECASE,
)
# An HTTP status: a registered code standing alone (not 0.500, not HTTP/1.100, not 500 ms, not a
# count of something: "238 words", "200 requests").
_CODES = r"10[0-3]|20[0-8]|226|30[0-8]|40\d|41\d|42[0-69]|431|451|50[0-8]|510|511"
STATUS = re.compile(
    rf"(?<![\w./:,-])(?:{_CODES})(?:s\b|(?![\w.,]\d)(?!\w))"
    r"(?!\s?(?:ms|s\b|-))(?!\s+(?:[a-z]+s|ms|seconds?)\b)"
)
# The words that make an exception name an outcome rather than a mention.
RAISE_WORDS = re.compile(
    r"\b(?:rais(?:e|es|ed|ing)|throws?|escapes?|fails? with|ends? with|ended with|"
    r"comes? out as|surfaces? as)\b",
    re.IGNORECASE,
)
# Words before a number that make it a name, an ordinal or a version, never a measurement.
_NAMING = re.compile(
    r"(?:\b(?:step|steps|lesson|lessons|milestone|challenge|row|rows|line|lines|level|option|"
    r"question|card|python|httpx|httpcore|fastapi|starlette|uvicorn|anyio|pep|rfc|version|"
    r"chapter|part|figure|issue|http/|http)|[/#])\s*$",
    re.IGNORECASE,
)
# Classes the exception pattern would take for exceptions.
NOT_EXCEPTIONS = frozenset({"TaskGroup"})
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+(?=[A-Z0-9`*(\[\"'_])|\n\s*\n|\n\s*(?:[-*+]|\d+\.) ")
# A code span that is a bare value (``[200, 200, 200]``, ``0.4``): a result, not code.
_BARE_VALUE = re.compile(r"^[\s\d.,\[\]()'\"{}:+-]*$")


@dataclass(frozen=True, slots=True)
class Statement:
    """One checkable fact stated in a text: its kind, its words and where it starts and ends."""

    kind: StatementKind
    text: str
    start: int
    end: int
    value: str  # the number as written, or the exception's short name
    sentence: str  # the sentence it stands in, whitespace collapsed


@dataclass(frozen=True, slots=True)
class Unbacked:
    """A statement no run backs: in ``file`` at the dotted ``path``, in ``sentence``."""

    file: str
    path: Path_
    sentence: str
    statement: str

    @property
    def label(self) -> str:
        """What ``lessons check`` prints after the slug: ``challenge.yaml: challenges.0.task``."""
        return f"{self.file}: {dotted(self.path)}"

    @property
    def message(self) -> str:
        return (
            f"states {self.statement!r}, which no run backs: bind it with a `says` phrase of "
            f"evidence here, or word it as an input (code) or not at all: {self.sentence!r}"
        )


def statements(text: str) -> list[Statement]:
    """Every checkable statement of one Markdown text, outside code, in order."""
    found: list[Statement] = []
    plain = _blank_code(text)
    for sentence_start, sentence in _sentences(plain):
        words = " ".join(text[sentence_start : sentence_start + len(sentence)].split())
        for match in QUANTITY.finditer(sentence):
            if _named(sentence, match.start()):
                continue
            number = re.match(_NUMBER, match.group(), re.IGNORECASE)
            assert number is not None
            found.append(
                Statement(
                    "quantity",
                    match.group(),
                    sentence_start + match.start(),
                    sentence_start + match.end(),
                    number.group(),
                    words,
                )
            )
        for match in STATUS.finditer(sentence):
            if _named(sentence, match.start()) or _inside(found, sentence_start + match.start()):
                continue
            value = match.group()[:3]
            found.append(
                Statement(
                    "status",
                    match.group(),
                    sentence_start + match.start(),
                    sentence_start + match.end(),
                    value,
                    words,
                )
            )
        for clause_start, clause in _clauses(sentence):
            if RAISE_WORDS.search(clause) is None:
                continue
            at = sentence_start + clause_start
            for match in EXCEPTION_NAME.finditer(text[at : at + len(clause)]):
                if match.group(1) in FAMILIES or match.group(1) in NOT_EXCEPTIONS:
                    continue
                found.append(
                    Statement(
                        "exception",
                        match.group(1),
                        at + match.start(1),
                        at + match.end(1),
                        match.group(1),
                        words,
                    )
                )
    return sorted(found, key=lambda statement: statement.start)


def _blank_code(text: str) -> str:
    """``text`` with fenced code and code spans that hold code blanked out (same length)."""
    lines = text.splitlines(keepends=True)
    for fence in fences(text):
        for index in range(fence.start, min(fence.end, len(lines))):
            lines[index] = re.sub(r"[^\n]", " ", lines[index])
    text = "".join(lines)

    def blank(match: re.Match[str]) -> str:
        if _BARE_VALUE.match(match.group(2)):
            return " " * len(match.group(1)) + match.group(2) + " " * len(match.group(1))
        return " " * len(match.group())

    return _CODE_SPAN.sub(blank, text)


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    for match in _SENTENCE_END.finditer(text):
        yield start, text[start : match.start()]
        start = match.end()
    yield start, text[start:]


_CLAUSE_END = re.compile(r"[,;:()\u2014]|\s-\s")


def _clauses(sentence: str) -> Iterator[tuple[int, str]]:
    """The clauses of a sentence: an exception counts as raised only in the clause that says so
    ("raises `PoolTimeout`, a `TimeoutException` like `ReadTimeout`" states one outcome)."""
    start = 0
    for match in _CLAUSE_END.finditer(sentence):
        yield start, sentence[start : match.start()]
        start = match.end()
    yield start, sentence[start:]


def _named(sentence: str, at: int) -> bool:
    return _NAMING.search(sentence[:at]) is not None


def _inside(found: Iterable[Statement], at: int) -> bool:
    return any(statement.start <= at < statement.end for statement in found)


# --- the lesson: which statements stand where, and what backs them ------------------------------

# Values that are not prose: ids, example names, calls, evidence plumbing, check parameters.
_PLUMBING: tuple[type[BaseModel], ...] = (
    Evidence,
    Counter,
    Expectation,
    Comparison,
    Example,
    RunSpec,
    WrongVariant,
)
_NOT_PROSE = frozenset(
    {"id", "answer", "level", "example", "starter", "solution", "alternatives", "file", "call",
     "call_template", "kind", "default", "equals", "matches", "run", "variants", "wrong", "before",
     "after", "right", "canonical_example", "slug", "metric"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Backing:
    """What the parts around a text offer to back its statements."""

    says: tuple[str, ...]  # says phrases of evidence on this part or a part around it
    raises: frozenset[str]  # short names of exceptions that evidence there expects
    inputs: frozenset[str]  # numbers a check around the text is configured with
    limits: frozenset[str] = frozenset()  # concurrency limits written in the lesson's code
    expected: frozenset[tuple[str, str]] = frozenset()  # (field, number) evidence asserts
    code: frozenset[str] = frozenset()  # numbers written in the lesson's example code


def unbacked(lesson: Lesson) -> list[Unbacked]:
    """Every statement of a checkable fact in ``lesson``'s prose that nothing backs, in file
    order (``lessons.walk.LESSON_FILES``)."""
    code, limits, raised = _lesson_inputs(lesson)
    found: list[Unbacked] = []
    for file, part in lesson_parts(lesson):
        for path, text, backing in _texts(part, code, limits, raised):
            for statement in _unbacked_in(text, backing):
                found.append(Unbacked(file, path, statement.sentence, statement.text))
    return found


def _lesson_inputs(lesson: Lesson) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The numbers written in the lesson's code (its example files and every call it makes),
    the concurrency limits among them (``Semaphore(3)``, ``max_connections=5``), and the short
    names of the exceptions its runs show (``raises``, results, exercise checks), with their
    base classes."""
    code = [*lesson.sources.values(), *(example.call for example in lesson.meta.examples.values())]
    statuses: set[str] = set()
    raised = {
        example.expect_error.rsplit(".", 1)[-1]
        for example in lesson.meta.examples.values()
        if example.expect_error is not None
    }
    for _, part in lesson_parts(lesson):
        for node in walk(part):
            if node.field in ("call", "call_template") and isinstance(node.value, str):
                code.append(node.value)
            if isinstance(node.value, Raises | Caught) and node.value.type is not None:
                raised.add(node.value.type.rsplit(".", 1)[-1])
            if isinstance(node.value, Expectation):
                shown = [node.value.raises, node.value.returns, node.value.returns_contains]
                for text in filter(None, shown):
                    raised |= {match.group(1) for match in EXCEPTION_NAME.finditer(text)}
                    statuses |= set(_STATUS_IN_RESULT.findall(text))
    calls = code[len(lesson.sources) :]
    numbers = frozenset(
        {_digits(n) for text in calls for n in _CODE_NUMBER.findall(text)}
        | {_digits(n) for text in lesson.sources.values() for n in _DURATION_IN_CODE.findall(text)}
    )
    statuses |= {n for text in code for n in _STATUS_IN_RESULT.findall(text)}
    limits = frozenset(_digits(n) for text in code for n in _LIMIT_IN_CODE.findall(text))
    return numbers | statuses, limits, frozenset(_with_bases(raised))


def _with_bases(names: Iterable[str]) -> set[str]:
    """``names`` and the classes they derive from, where a known module defines them: a run
    that raised ``UnicodeDecodeError`` shows a ``ValueError`` too."""
    found = set(names)
    for name in names:
        for module in sorted(KNOWN_MODULES):
            cls = resolve(f"{module}.{name}")
            if cls is not None:
                found |= {base.__name__ for base in cls.__mro__}
                break
    return found


_CODE_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
_LIMIT_IN_CODE = re.compile(
    r"(?:Semaphore|max_connections|limit|limits|bound|rate|K)\s*[=(]\s*(\d+)(?![\d.])"
)
# A number the code writes as a time: ``sleep(0.3)``, ``/delay/0.4``, ``timeout=5.0``,
# ``Timeout(1.0, connect=0.5)``, ``BUDGET_S = 1.0``, ``every=1.5``.
_DURATION_IN_CODE = re.compile(
    r"(?:sleep|delay|drip|timeout|Timeout|timeout_at|connect|read|write|pool|every|wait|"
    r"budget|deadline|after|_S|_s|_SECONDS|seconds)\w*\s*[=(/:,]\s*(\d+(?:\.\d+)?)(?![\d.])"
)
_STATUS_IN_RESULT = re.compile(r"(?<![\w.])[1-5]\d\d(?![\w.])")


def _texts(
    part: BaseModel, code: frozenset[str], limits: frozenset[str], raised: frozenset[str]
) -> Iterator[tuple[Path_, str, _Backing]]:
    """Every prose string below ``part`` with what backs it, skipping what is stated as false."""
    yield from _visit(part, (), _Backing((), raised, frozenset(), limits=limits, code=code))


_Text = tuple[Path_, str, "_Backing"]


def _visit(model: BaseModel, path: Path_, around: _Backing) -> Iterator[_Text]:
    backing = _backing_of(model, around)
    for node in walk(model, path):
        if node.owner is not model:
            continue  # a nested model is visited on its own, with its own backing
        yield from _node(model, node, backing)


def _node(model: BaseModel, node: Node, backing: _Backing) -> Iterator[_Text]:
    value = node.value
    if isinstance(value, BaseModel):
        if isinstance(value, _PLUMBING):
            return
        if _stated_false(model, value):
            yield from _explanations(value, node.path, backing)
            return
        yield from _visit(value, node.path, backing)
        return
    if not isinstance(value, str) or isinstance(model, _PLUMBING):
        return
    if node.field in _NOT_PROSE or (isinstance(model, Knob) and node.field == "choices"):
        return
    if isinstance(model, Question) and node.field == "question":
        return  # the setting of a question: what it gives, not what it claims
    if isinstance(model, Myth) and node.field == "claim" and not model.holds:
        return  # the myth itself, stated to be busted
    yield node.path, value, backing


def _stated_false(owner: BaseModel, option: BaseModel) -> bool:
    """A wrong option of a question: its text is a distractor, its explanation is prose."""
    return isinstance(owner, Question) and getattr(option, "id", None) not in (None, owner.answer)


def _explanations(option: BaseModel, path: Path_, backing: _Backing) -> Iterator[_Text]:
    explanation = getattr(option, "explanation", None)
    if isinstance(explanation, str):
        yield (*path, "explanation"), explanation, backing


def _backing_of(model: BaseModel, around: _Backing) -> _Backing:
    says: list[str] = []
    raises: set[str] = set()
    expected: set[tuple[str, str]] = set()
    for name in type(model).model_fields:
        value = getattr(model, name)
        for evidence in value if isinstance(value, tuple) else (value,):
            if isinstance(evidence, Evidence):
                says.extend(evidence.says)
                expected |= {
                    (field, f"{count:g}")
                    for field, count in evidence.expect
                    if isinstance(count, int) and not isinstance(count, bool)
                }
                shown = f"{evidence.expect.returns or ''} {evidence.expect.returns_contains or ''}"
                expected |= {("returns", _digits(n)) for n in _CODE_NUMBER.findall(shown)}
                if evidence.faster_than is not None:
                    expected.add(("faster_than", f"{evidence.faster_than.factor:g}"))
                if evidence.expect.raises is not None:
                    raises.add(evidence.expect.raises.rsplit(".", 1)[-1])
    inputs = _check_inputs(model)
    if isinstance(model, Checked):  # an exercise's texts state what its checks are set to
        inputs |= {number for check in model.checks for number in _check_inputs(check)}
        inputs |= {
            _digits(number) for run in model.runs for number in _CODE_NUMBER.findall(run.call)
        }
    return _Backing(
        (*around.says, *says),
        around.raises | raises,
        around.inputs | inputs,
        limits=around.limits,
        expected=around.expected | expected,
        code=around.code,
    )


def _check_inputs(model: BaseModel) -> frozenset[str]:
    """The numbers a check is configured with, as its text may write them."""
    numbers: list[float] = []
    if isinstance(model, WallTime):
        for factor in (model.at_most, model.at_least, 1.0):
            if factor is not None:
                numbers += [factor, model.slowest_ms * factor, model.slowest_ms * factor / 1000]
    elif isinstance(model, InFlight | TcpConnects):
        numbers += [n for n in (model.min, model.max) if n is not None]
    elif isinstance(model, Clients) and model.exactly is not None:
        numbers.append(model.exactly)
    elif isinstance(model, Stalls):
        numbers.append(model.max)
    found = {f"{number:g}" for number in numbers}
    if isinstance(model, Returns):
        values = f"{model.equals or ''} {model.looks_like or ''}"
        found |= {_digits(number) for number in re.findall(r"\d+(?:\.\d+)?", values)}
    return frozenset(found)


def _unbacked_in(text: str, backing: _Backing) -> Iterator[Statement]:
    collapsed, where = _collapse(text)
    bound = [
        (where[start], where[end - 1] + 1)
        for start, end in _bound_spans(collapsed, backing.says)
        if end > start
    ]
    for statement in statements(text):
        if any(start <= statement.start and statement.end <= end for start, end in bound):
            continue
        if statement.kind == "exception":
            if statement.value not in backing.raises:
                yield statement
            continue
        value = _digits(statement.value)
        if value in backing.inputs or _given_as_code(statement.sentence, statement.value):
            continue
        if statement.kind == "quantity" and _asserted(statement, value, backing.expected):
            continue
        if statement.kind == "status" and value in backing.code:
            continue  # a status the examples ask the upstream for (``/status/503``)
        concurrency = statement.kind == "quantity" and _CONCURRENCY.search(statement.text)
        if concurrency and value in backing.limits:
            continue  # a limit the examples set (``Semaphore(10)``, ``max_connections=5``)
        if statement.kind == "quantity" and _is_duration(statement.text):
            seconds = _seconds(statement.text, value)
            if value in backing.code or seconds in backing.code:
                continue  # a delay, pause or timeout the examples are written with
        yield statement


def _collapse(text: str) -> tuple[str, list[int]]:
    """``text`` with each run of whitespace made one space, and where each character came from."""
    out: list[str] = []
    where: list[int] = []
    for match in re.finditer(r"\s+|\S+", text.strip()):
        offset = match.start() + (len(text) - len(text.lstrip()))
        if match.group().isspace():
            out.append(" ")
            where.append(offset)
        else:
            out.append(match.group())
            where.extend(range(offset, offset + len(match.group())))
    return "".join(out), where


# Which fact of ``expect`` a count with this unit states (an ``expect`` asserts it on the run).
_FIELDS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"reused", re.I), ("connections_reused",)),
    (re.compile(r"connect|socket", re.I), ("tcp_connects", "connect_attempts")),
    (re.compile(r"attempt", re.I), ("connect_attempts",)),
    (re.compile(r"in flight|at once|at a time", re.I), ("max_in_flight",)),
    (re.compile(r"upstream|sent|went out|out$", re.I), ("upstream_requests",)),
    (re.compile(r"(?:^|\s)x$|times", re.I), ("faster_than",)),
)


def _asserted(statement: Statement, value: str, expected: frozenset[tuple[str, str]]) -> bool:
    """Whether evidence around the text asserts this count on its run, as the fact its unit
    names ("3 TCP connects" and ``tcp_connects: 3``)."""
    unit = statement.text[len(statement.value) :]
    if ("returns", value) in expected:
        return True  # the run must return a value holding this number
    for pattern, fields in _FIELDS:
        if pattern.search(unit):
            return any((field, value) in expected for field in fields)
    return False


_CONCURRENCY = re.compile(r"(?:in flight|at once|at a time)$", re.IGNORECASE)
_DURATION = re.compile(r"(?:ms|milliseconds?|s|secs?|seconds?|minutes?)$", re.IGNORECASE)


def _is_duration(text: str) -> bool:
    return _DURATION.search(text) is not None


def _seconds(text: str, value: str) -> str:
    """A duration's value in seconds, as code writes it (``50 ms`` -> ``0.05``)."""
    unit = text.rstrip().lower()
    number = float(value) if value.replace(".", "", 1).isdigit() else None
    if number is None:
        return value
    if unit.endswith("ms") or "millisecond" in unit:
        return f"{number / 1000:g}"
    if "minute" in unit:
        return f"{number * 60:g}"
    return f"{number:g}"


def _bound_spans(text: str, says: Iterable[str]) -> list[tuple[int, int]]:
    """Where the placeholders of ``says`` phrases match in ``text``: numbers there are bound.

    A phrase's literal words are matched as written; each ``{fact}`` matches the shortest run of
    text that lets the whole phrase match. A number written literally inside a phrase is not
    bound: only what a placeholder fills comes from the run.
    """
    spans: list[tuple[int, int]] = []
    for phrase in says:
        pattern, groups = _phrase_pattern(" ".join(phrase.split()))
        if not groups:
            continue
        for match in re.finditer(pattern, text):
            spans += [match.span(group) for group in range(1, groups + 1)]
    # A unit right after a placeholder belongs to the bound number ("{wall_s:.1f} s").
    return [(start, _unit_end(text, end)) for start, end in spans]


def _phrase_pattern(phrase: str) -> tuple[str, int]:
    pattern = ""
    groups = 0
    for literal, field, _, _ in _formatter_parse(phrase):
        pattern += re.escape(literal)
        if field is not None:
            pattern += "(.+?)"
            groups += 1
    return pattern, groups


def _formatter_parse(phrase: str) -> list[tuple[str, str | None, str | None, str | None]]:
    if placeholders(phrase) == ("<unbalanced braces>",):
        return []
    return list(string.Formatter().parse(phrase))


def _unit_end(text: str, end: int) -> int:
    unit = re.match(rf"(?:\s?[-\u2011]?\s?)(?:{_UNIT})(?!\w)", text[end:], re.IGNORECASE)
    return end + unit.end() if unit else end


def _given_as_code(sentence: str, value: str) -> bool:
    """Whether ``sentence`` writes ``value`` as code too: then the number restates an input."""
    digits = _digits(value)
    return any(
        digits in {_digits(number) for number in _CODE_NUMBER.findall(match.group(2))}
        for match in _CODE_SPAN.finditer(sentence)
        if not _BARE_VALUE.match(match.group(2))
    )


_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100, "a hundred": 100, "thousand": 1000,
    "a thousand": 1000,
}  # fmt: skip


def _digits(value: str) -> str:
    """A number as ``%g`` digits, whether written ``1,000``, ``0.40`` or ``ten``."""
    spelled = _WORDS.get(value.lower())
    if spelled is not None:
        return str(spelled)
    try:
        return f"{float(value.replace(',', '')):g}"
    except ValueError:
        return value
