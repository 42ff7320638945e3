"""The facts a finished run measured, by name: what a lesson sentence may quote from a run.

An ``Evidence``'s ``says`` phrases hold ``{fact}`` placeholders (Python format fields, so
``{wall_s:.1f}`` rounds as written; ``{result:num}`` is the first number in the result, as
``%g``, ``{result:num2}`` the second, up to ``num4``). ``fill`` puts in what the run measured,
and the filled phrase must appear in the part's text word for word. A sentence that says
"over 1 connection" while the run opened 3 then fails ``lessons check``.

>>> from types import SimpleNamespace as Fake
>>> trace = Fake(error=None, result="(200, 200)", wall_ms=512.0, tcp_connects=3, requests=())
>>> fill("over {tcp_connects} connections in {wall_s:.1f} s", measured(trace))
'over 3 connections in 0.5 s'
>>> fill("{result:num} s by default", {"result": "'Timeout(timeout=5.0)'"})
'5 s by default'
>>> fill("{result:num2} idle", {"result": "'max 100, keep 20'"})
'20 idle'
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from typing import Protocol

from visualizer.read.analysis import RequestRecord, max_in_flight
from visualizer.syntax import literal

FACTS: tuple[str, ...] = (
    "result",  # the repr of the returned value
    "text",  # the returned string itself, unquoted (the repr for any other value)
    "error",  # the short type name of the exception the run ended with ("none" without one)
    "tcp_connects",
    "connect_attempts",
    "connections_reused",
    "upstream_requests",
    "max_in_flight",  # the most requests on the wire at once
    "wall_s",  # the run's wall time in seconds (round it: {wall_s:.1f})
)


class _Error(Protocol):
    @property
    def type(self) -> str: ...


class MeasuredTrace(Protocol):
    @property
    def error(self) -> _Error | None: ...
    @property
    def result(self) -> str | None: ...
    @property
    def wall_ms(self) -> float: ...
    @property
    def tcp_connects(self) -> int: ...
    @property
    def requests(self) -> Sequence[RequestRecord]: ...


def placeholders(phrase: str) -> tuple[str, ...]:
    """The fact names a phrase quotes: ``"{tcp_connects} connects"`` -> ``('tcp_connects',)``."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(phrase) if name is not None]
    except ValueError:
        return ("<unbalanced braces>",)
    return tuple(fields)


# A fact of the claim's own run, or (prefixed) of its first counter-example or its baseline.
PREFIXES: tuple[str, ...] = ("", "counter_", "baseline_")


def unknown_facts(phrase: str) -> list[str]:
    """The placeholders of ``phrase`` that name no measured fact (empty when all are known)."""
    names = placeholders(phrase)
    if not names:
        return ["<none: a phrase must quote at least one fact>"]
    known = {prefix + fact for prefix in PREFIXES for fact in FACTS}
    return [name or "<empty>" for name in names if name not in known]


def prefixed(prefix: str, facts: Mapping[str, object]) -> dict[str, object]:
    """``facts`` of another run, under names like ``counter_tcp_connects``."""
    return {prefix + name: value for name, value in facts.items()}


def measured(trace: MeasuredTrace) -> dict[str, object]:
    """Every fact of ``FACTS``, read from one finished run."""
    requests = trace.requests
    out = tuple(request for request in requests if request.phases)
    return {
        "result": trace.result if trace.result is not None else "nothing",
        "text": _unquoted(trace.result),
        "error": trace.error.type.rsplit(".", 1)[-1] if trace.error is not None else "none",
        "tcp_connects": trace.tcp_connects,
        "connect_attempts": sum(
            phase.name == "connect_tcp" for request in requests for phase in request.phases
        ),
        "connections_reused": sum(
            all(phase.name != "connect_tcp" for phase in request.phases) for request in out
        ),
        "upstream_requests": len(out),
        "max_in_flight": max_in_flight(out),
        "wall_s": trace.wall_ms / 1000,
    }


def _unquoted(result: str | None) -> str:
    if result is None:
        return "nothing"
    try:
        value: object = literal(result)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return result
    return value if isinstance(value, str) else result


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


class _Formatter(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec.startswith("num") and format_spec[3:] in ("", "2", "3", "4"):
            nth = int(format_spec[3:] or "1")
            found = NUMBER.findall(str(value))
            return f"{float(found[nth - 1]):g}" if len(found) >= nth else "no number"
        return format(value, format_spec)


def fill(phrase: str, facts: Mapping[str, object]) -> str:
    """``phrase`` with each placeholder replaced by its measured value."""
    return _Formatter().vformat(phrase, (), dict(facts))
