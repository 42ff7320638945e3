"""Whether a real run shows what a lesson claims: pure checks of a finished trace.

The trace engine's ``Trace`` is described here only by the few attributes these checks read
(``TraceLike``), so the checks can be tested with hand-built traces and never depend on the
engine's internals.

>>> from types import SimpleNamespace as Fake
>>> trace = Fake(error=None, result="'ok'", warnings=[], wall_ms=12.0, stopped=False,
...              tcp_connects=1, requests_overlap=False, blocked=False)
>>> evaluate(Expectation(no_error=True, tcp_connects=2), trace)
['expected 2 TCP connects, saw 1']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from lessons.models import Example, Expectation


class TraceErrorLike(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def line(self) -> int | None: ...


class TraceLike(Protocol):
    """What the checks read from a finished trace."""

    @property
    def error(self) -> TraceErrorLike | None: ...
    @property
    def result(self) -> str | None: ...
    @property
    def warnings(self) -> Sequence[str]: ...
    @property
    def wall_ms(self) -> float: ...
    @property
    def stopped(self) -> object: ...  # falsy, or why the run was cut short
    @property
    def tcp_connects(self) -> int: ...
    @property
    def requests_overlap(self) -> bool: ...
    @property
    def blocked(self) -> object: ...  # truthy when the loop was held over 50 ms (e.g. the stalls)


def example_expectation(example: Example) -> Expectation:
    """What running an example on its own must show: its ``expect_error``, or no error at all."""
    if example.expect_error is not None:
        return Expectation(raises=example.expect_error)
    return Expectation(no_error=True)


def evaluate(expectation: Expectation, trace: TraceLike) -> list[str]:
    """The ways ``trace`` fails ``expectation``; empty when the claim holds.

    An error fails the run unless the expectation asks for one (``raises``, or
    ``no_error: false``).
    """
    failures: list[str] = []
    if trace.stopped:
        reason = f": {trace.stopped}" if isinstance(trace.stopped, str) else ""
        failures.append(f"the run was stopped before it finished{reason}")
    failures.extend(_error_failures(expectation, trace.error))
    failures.extend(_result_failures(expectation, trace))
    return failures


def compare_speed(fast: TraceLike, slow: TraceLike, factor: float) -> list[str]:
    """Empty when ``fast`` took at most 1/``factor`` of ``slow``'s wall time."""
    if fast.wall_ms * factor <= slow.wall_ms:
        return []
    ratio = f"{slow.wall_ms / fast.wall_ms:.1f}x" if fast.wall_ms > 0 else "no speed-up"
    return [
        f"expected at least {factor:g}x faster: {fast.wall_ms:.0f} ms against "
        f"{slow.wall_ms:.0f} ms ({ratio})"
    ]


def describe_error(error: TraceErrorLike) -> str:
    line = f" (line {error.line})" if error.line is not None else ""
    return f"{error.type}: {error.message}{line}"


def _error_failures(expectation: Expectation, error: TraceErrorLike | None) -> list[str]:
    if expectation.raises is not None:
        if error is None:
            return [f"expected {expectation.raises}, but the run ended without an error"]
        if not _same_type(error.type, expectation.raises):
            return [f"expected {expectation.raises}, got {describe_error(error)}"]
        return []
    if expectation.no_error is False:
        return [] if error is not None else ["expected an error, but the run ended without one"]
    return [] if error is None else [f"unexpected {describe_error(error)}"]


def _result_failures(expectation: Expectation, trace: TraceLike) -> list[str]:
    failures = []
    wanted = expectation.returns_contains
    if wanted is not None and (trace.result is None or wanted not in trace.result):
        got = "no result" if trace.result is None else f"got {_clip(trace.result)}"
        failures.append(f"expected the result to contain {wanted!r}, {got}")
    wanted = expectation.warns_contains
    if wanted is not None and not any(wanted in warning for warning in trace.warnings):
        seen = "; ".join(_clip(warning) for warning in trace.warnings) or "none"
        failures.append(f"expected a warning containing {wanted!r}; warnings: {seen}")
    expected_connects = expectation.tcp_connects
    if expected_connects is not None and trace.tcp_connects != expected_connects:
        plural = "" if expected_connects == 1 else "s"
        failures.append(
            f"expected {expected_connects} TCP connect{plural}, saw {trace.tcp_connects}"
        )
    if expectation.requests_overlap is not None and trace.requests_overlap != (
        expectation.requests_overlap
    ):
        failures.append(
            "expected requests in flight at the same time, but they ran one after another"
            if expectation.requests_overlap
            else "expected one request at a time, but some were in flight together"
        )
    if expectation.blocked is not None and bool(trace.blocked) != expectation.blocked:
        failures.append(
            "expected the loop to be blocked (over 50 ms without yielding), but it never was"
            if expectation.blocked
            else "expected the loop never to block, but it was blocked"
        )
    return failures


def _same_type(seen: str, wanted: str) -> bool:
    """``httpx.HTTPStatusError`` matches ``HTTPStatusError`` and the other way round."""
    if seen == wanted:
        return True
    if "." in seen and "." in wanted:
        return False
    return seen.rsplit(".", 1)[-1] == wanted.rsplit(".", 1)[-1]


def _clip(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
