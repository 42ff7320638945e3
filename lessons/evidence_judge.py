"""Whether a real run shows what a lesson claims: pure checks of a finished trace.

The trace engine's ``Trace`` is described here only by the few attributes these checks read
(``TraceLike``), so the checks can be tested with hand-built traces and never depend on the
engine's internals. Facts about requests and stalls come from ``visualizer.read.analysis`` records
(``RequestRecord``, ``Stall``) and ``overlapping``, never from an event's text.

A claim's counter-examples are held to the same expectation and must fail it for a reason the
expectation names (``rejection``); one that passes, crashes or is stopped is a defect.

>>> from types import SimpleNamespace as Fake
>>> trace = Fake(error=None, result="'ok'", warnings=[], wall_ms=12.0, stopped=False,
...              tcp_connects=1, requests=(), blocked=())
>>> evaluate(Expectation(no_error=True, tcp_connects=2), trace)
['expected 2 TCP connects, saw 1']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from lessons.models import Example, Expectation
from visualizer.read.analysis import RequestRecord, Stall, max_in_flight, overlapping

STALL_MS = 50  # what the engine counts as holding the loop


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
    def requests(self) -> Sequence[RequestRecord]: ...
    @property
    def blocked(self) -> Sequence[Stall]: ...  # every time the loop was held over 50 ms


@dataclass(frozen=True, slots=True)
class Failure:
    """One way a run fails an expectation: ``check`` is the ``Expectation`` field it fails,
    ``"faster_than"``, ``"error"`` (an error nobody asked about) or ``"stopped"``."""

    check: str
    message: str


def went_out(requests: Sequence[RequestRecord]) -> tuple[RequestRecord, ...]:
    """The requests that reached the network: not in-process ASGI ones, and not one that only
    waited in the pool (a ``PoolTimeout``, or cancelled there)."""
    return tuple(request for request in requests if request.went_out)


def connect_attempts(requests: Sequence[RequestRecord]) -> int:
    """TCP connections tried, whether or not they were made."""
    return sum(phase.name == "connect_tcp" for r in requests for phase in r.phases)


def connections_reused(requests: Sequence[RequestRecord]) -> int:
    """Requests that went out on a connection some earlier request had opened."""
    return sum(
        all(phase.name != "connect_tcp" for phase in request.phases)
        for request in went_out(requests)
    )


def lines_holding(fragment: str, source: str) -> frozenset[int]:
    """The 1-based lines of ``source`` that contain ``fragment``."""
    return frozenset(
        number for number, text in enumerate(source.splitlines(), 1) if fragment in text
    )


def example_expectation(example: Example) -> Expectation:
    """What running an example on its own must show: its ``expect_error``, or no error at all."""
    if example.expect_error is not None:
        return Expectation(raises=example.expect_error)
    return Expectation(no_error=True)


def evaluate(expectation: Expectation, trace: TraceLike, *, source: str = "") -> list[str]:
    """The ways ``trace`` fails ``expectation``; empty when the claim holds.

    An error fails the run unless the expectation asks for one (``raises``, or
    ``no_error: false``). ``source`` is the run's file, for ``blocked_at``.
    """
    return [failure.message for failure in failures(expectation, trace, source=source)]


def failures(expectation: Expectation, trace: TraceLike, *, source: str = "") -> list[Failure]:
    """``evaluate``, with the check each failure belongs to."""
    found: list[Failure] = []
    if trace.stopped:
        reason = f": {trace.stopped}" if isinstance(trace.stopped, str) else ""
        found.append(Failure("stopped", f"the run was stopped before it finished{reason}"))
    found.extend(_error_failures(expectation, trace.error))
    found.extend(_result_failures(expectation, trace))
    found.extend(_request_failures(expectation, trace))
    found.extend(_stall_failures(expectation, trace, source))
    return found


def rejection(
    found: Sequence[Failure], expectation: Expectation, rejects_on: Sequence[str] = ()
) -> tuple[bool, str]:
    """Whether a counter-example's ``found`` failures reject it on the facts it says it flips.

    ``rejects_on`` names those facts (fields of the expectation, or ``faster_than``): each must
    fail, and nothing else may, or the counter-example was rejected for another reason and
    proves nothing about the claim. Without ``rejects_on`` any named check will do (the check
    reports the missing key separately). Returns (rejected, what to report).
    """
    if not found:
        return False, "the counter-example passed: this check cannot fail"
    for failure in found:
        if failure.check == "stopped":
            return False, f"the counter-example proves nothing: {failure.message}"
        if failure.check == "error":
            return False, f"the counter-example proves nothing: it crashed ({failure.message})"
    failed = {failure.check for failure in found}
    if rejects_on:
        kept = [name for name in rejects_on if name not in failed]
        if kept:
            seen = "; ".join(failure.message for failure in found)
            return False, (
                f"the counter-example does not flip {', '.join(kept)}: it was rejected for "
                f"another reason ({seen})"
            )
        other = [failure.message for failure in found if failure.check not in rejects_on]
        if other:
            return False, (
                f"the counter-example also fails {', '.join(sorted(failed - set(rejects_on)))}, "
                f"which it does not claim to flip ({'; '.join(other)})"
            )
    named = {*expectation.named(), "faster_than"}
    reasons = [failure.message for failure in found if failure.check in named]
    return True, "; ".join(reasons)


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


def _error_failures(expectation: Expectation, error: TraceErrorLike | None) -> list[Failure]:
    if expectation.raises is not None:
        if error is None:
            message = f"expected {expectation.raises}, but the run ended without an error"
            return [Failure("raises", message)]
        if not _same_type(error.type, expectation.raises):
            message = f"expected {expectation.raises}, got {describe_error(error)}"
            return [Failure("raises", message)]
        return []
    if expectation.no_error is False:
        if error is not None:
            return []
        return [Failure("no_error", "expected an error, but the run ended without one")]
    if error is None:
        return []
    check = "no_error" if expectation.no_error else "error"
    return [Failure(check, f"unexpected {describe_error(error)}")]


def _result_failures(expectation: Expectation, trace: TraceLike) -> list[Failure]:
    found = []
    result = trace.result
    if expectation.returns is not None and result != expectation.returns:
        got = "no result" if result is None else f"got {result!r}"
        found.append(Failure("returns", f"expected the result {expectation.returns!r}, {got}"))
    wanted = expectation.returns_contains
    if wanted is not None and (result is None or wanted not in result):
        got = "no result" if result is None else f"got {_clip(result)}"
        found.append(
            Failure("returns_contains", f"expected the result to contain {wanted!r}, {got}")
        )
    wanted = expectation.warns_contains
    if wanted is not None and not any(wanted in warning for warning in trace.warnings):
        seen = "; ".join(_clip(warning) for warning in trace.warnings) or "none"
        found.append(
            Failure("warns_contains", f"expected a warning containing {wanted!r}; warnings: {seen}")
        )
    return found


def _request_failures(expectation: Expectation, trace: TraceLike) -> list[Failure]:
    requests = trace.requests
    counts = (
        ("tcp_connects", expectation.tcp_connects, trace.tcp_connects,
         "TCP connect", "TCP connects"),
        ("connect_attempts", expectation.connect_attempts, connect_attempts(requests),
         "TCP connection attempt", "TCP connection attempts"),
        ("connections_reused", expectation.connections_reused, connections_reused(requests),
         "request on a reused connection", "requests on a reused connection"),
        ("upstream_requests", expectation.upstream_requests, len(went_out(requests)),
         "request sent out", "requests sent out"),
    )  # fmt: skip
    found = [
        Failure(check, f"expected {wanted} {one if wanted == 1 else many}, saw {seen}")
        for check, wanted, seen, one, many in counts
        if wanted is not None and seen != wanted
    ]
    most = expectation.max_in_flight
    if most is not None:
        seen = max_in_flight(went_out(requests))
        if seen > most:
            message = f"expected at most {most} requests out at once, saw {seen}"
            found.append(Failure("max_in_flight", message))
    wanted_overlap = expectation.requests_overlap
    if wanted_overlap is not None and overlapping(went_out(requests)) != wanted_overlap:
        found.append(
            Failure(
                "requests_overlap",
                "expected requests out at the same time, but they went one after another"
                if wanted_overlap
                else "expected one request out at a time, but some were in flight together",
            )
        )
    return found


def _stall_failures(expectation: Expectation, trace: TraceLike, source: str) -> list[Failure]:
    found = []
    if expectation.blocked is not None and bool(trace.blocked) != expectation.blocked:
        found.append(
            Failure(
                "blocked",
                f"expected the loop to be blocked (over {STALL_MS} ms without yielding), "
                "but it never was"
                if expectation.blocked
                else "expected the loop never to block, but it was blocked",
            )
        )
    stalled = sorted({stall.line for stall in trace.blocked if stall.line is not None})
    fragment = expectation.free_at
    if fragment is not None:
        held = sorted(lines_holding(fragment, source) & set(stalled))
        if held:
            found.append(
                Failure(
                    "free_at",
                    f"expected the loop never held over {STALL_MS} ms at {fragment!r}, "
                    f"but it was at line {', '.join(map(str, held))}",
                )
            )
    fragment = expectation.blocked_at
    if fragment is not None:
        lines = lines_holding(fragment, source)
        if not lines & set(stalled):
            where = ", ".join(map(str, sorted(lines))) or "none"
            seen = ", ".join(map(str, stalled)) or "none"
            found.append(
                Failure(
                    "blocked_at",
                    f"expected the loop held over {STALL_MS} ms at {fragment!r} "
                    f"(line {where}); stalls at lines: {seen}",
                )
            )
    return found


def _same_type(seen: str, wanted: str) -> bool:
    """``httpx.HTTPStatusError`` matches ``HTTPStatusError`` and the other way round."""
    if seen == wanted:
        return True
    if "." in seen and "." in wanted:
        return False
    return seen.rsplit(".", 1)[-1] == wanted.rsplit(".", 1)[-1]


def _clip(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
