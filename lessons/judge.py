"""Evaluate an exercise's typed checks on the traces of real runs: pass or fail, and why.

    verdict = judge(challenge, {"five": trace_a, "mixed": trace_b}, source)
    verdict.passed                      # every check held
    verdict.checks[2].detail            # "at most 1 request was on the wire at once"
    verdict.checks[2].step              # the step of that run's replay that shows it

Facts come only from ``visualizer.read.analysis`` and ``Trace`` fields; nothing here reads an
event's wording. Upstream requests are the ones that went on the wire (they have HTTP phases):
requests to an in-process ``ASGITransport`` app have none, so overlap around them is never counted.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from lessons.exercise_checks import (
    Caught,
    Checked,
    Clients,
    ExerciseCheck,
    InFlight,
    Raises,
    Returns,
    Source,
    Stalls,
    TcpConnects,
    WallTime,
)
from lessons.handlers import handlers as resolve_handlers
from lessons.handlers import problem as catch_problem
from lessons.handlers import resolve
from visualizer import Trace
from visualizer.read.analysis import (
    ClientRecord,
    RequestRecord,
    connect_times,
    find_clients,
    find_exceptions,
    loop_waiting_ms,
    max_in_flight,
    on_the_wire,
)
from visualizer.syntax import parse_module

DEFAULT_TIMEOUT_S = 5.0
BROAD = frozenset({"Exception", "BaseException"})


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's outcome: ``detail`` says what was seen; ``step`` of ``run`` shows it."""

    id: str
    text: str
    passed: bool
    detail: str
    run: str | None = None
    step: int | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    checks: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def failed(self) -> tuple[str, ...]:
        return tuple(check.id for check in self.checks if not check.passed)


def judge(
    checked: Checked,
    traces: Mapping[str, Trace],
    source: str,
    problems: Mapping[str, str] | None = None,
) -> Verdict:
    """Every check of ``checked`` on ``traces`` (run id -> trace); ``problems`` says why a run
    has no trace (a syntax error, no sandbox), and each check on such a run fails with it."""
    problems = problems or {}
    results = []
    for check in checked.checks:
        if isinstance(check, Source):
            results.append(_source(check, source))
            continue
        trace = traces.get(check.run)
        if trace is None:
            why = problems.get(check.run, "the run could not be recorded")
            results.append(CheckResult(check.id, check.text, False, why, check.run))
            continue
        results.append(_on_run(check, trace))
    hidden = {run.id for run in checked.runs if run.hidden}
    return Verdict(tuple(_kept_hidden(r) if r.run in hidden else r for r in results))


HIDDEN_PASSED = "passed on a hidden run"
HIDDEN_FAILED = (
    "failed on a hidden run: its inputs stay secret; check that your code follows its "
    "parameters and the task's rules"
)


def _kept_hidden(result: CheckResult) -> CheckResult:
    """A hidden run's check says pass or fail and nothing its inputs produced: no raised
    message, returned value, printed output or step of its replay."""
    detail = HIDDEN_PASSED if result.passed else HIDDEN_FAILED
    return CheckResult(result.id, result.text, result.passed, detail, result.run, None)


def upstream_requests(trace: Trace) -> tuple[RequestRecord, ...]:
    """The requests that went on the wire (not those answered in-process by ASGITransport,
    nor those that only waited for a pooled connection)."""
    return tuple(request for request in trace.requests if request.went_out)


def step_at(trace: Trace, t_ms: float | None) -> int | None:
    """The step of the replay under way at ``t_ms`` (the last step that began by then)."""
    if not trace.steps:
        return None
    if t_ms is None:
        return trace.steps[-1].step
    found = trace.steps[0].step
    for step in trace.steps:
        if step.t_ms is not None and step.t_ms <= t_ms:
            found = step.step
    return found


def step_of_line(trace: Trace, line: int | None, after_ms: float = 0.0) -> int | None:
    """The first step at ``line`` that began at or after ``after_ms`` (else the last step)."""
    for step in trace.steps:
        if step.line == line and (step.t_ms is None or step.t_ms >= after_ms):
            return step.step
    return step_at(trace, after_ms)


def _on_run(check: ExerciseCheck, trace: Trace) -> CheckResult:
    assert not isinstance(check, Source)
    evaluate = _EVALUATORS[type(check)]
    passed, detail, step = evaluate(check, trace)
    if trace.stopped is not None and not passed:
        detail += f" (the run was stopped at its {trace.stopped} limit)"
    return CheckResult(check.id, check.text, passed, detail, check.run, step)


# What one check found: passed, the detail, the step that shows it.
Finding = tuple[bool, str, int | None]


def _returns(check: Returns, trace: Trace) -> Finding:
    last = step_at(trace, None)
    # What was expected, in words: the value itself, never the pattern that checks it.
    want = check.equals if check.equals is not None else check.looks_like
    expected = f"expected {want}" if want else "expected the value the check describes"
    if trace.error is not None:
        said = f": {trace.error.message}" if trace.error.message.strip() else ""
        detail = f"it raised {trace.error.type}{said} instead of returning; {expected}"
        return False, detail, _error_step(trace)
    if trace.result is None:
        return False, f"it returned nothing that could be read; {expected}", last
    seen = trace.result
    if check.equals is not None:
        ok = seen == check.equals
    else:
        assert check.matches is not None
        ok = re.fullmatch(check.matches, seen, flags=re.DOTALL) is not None
    detail = f"it returned {_short(seen)}" + ("" if ok else f", {expected}")
    return ok, detail, last


def _wall_time(check: WallTime, trace: Trace) -> Finding:
    wall = trace.wall_ms if check.measure == "wall" else loop_waiting_ms(trace.events)
    ratio = wall / check.slowest_ms
    ok = (check.at_most is None or ratio <= check.at_most) and (
        check.at_least is None or ratio >= check.at_least
    )
    bounds = []
    if check.at_most is not None:
        bounds.append(f"at most {check.at_most:g}x ({check.slowest_ms * check.at_most:.0f} ms)")
    if check.at_least is not None:
        bounds.append(f"at least {check.at_least:g}x ({check.slowest_ms * check.at_least:.0f} ms)")
    what = (
        "took" if check.measure == "wall" else f"took {trace.wall_ms:.0f} ms and waited on I/O for"
    )
    detail = (
        f"the call {what} {wall:.0f} ms, {ratio:.2f}x the slowest upstream delay"
        f" ({check.slowest_ms:.0f} ms); expected {' and '.join(bounds)}"
    )
    return ok, detail, step_at(trace, None)


def _in_flight(check: InFlight, trace: Trace) -> Finding:
    requests = upstream_requests(trace)
    most = max_in_flight(requests)
    ok = (check.min is None or most >= check.min) and (check.max is None or most <= check.max)
    plural = "request was" if most == 1 else "requests were"
    detail = f"at most {most} {plural} on the wire at once ({len(requests)} in all)"
    if not ok:
        bounds = [f"at least {check.min}"] if check.min is not None else []
        bounds += [f"at most {check.max}"] if check.max is not None else []
        detail += f"; expected {' and '.join(bounds)} at once"
    return ok, detail, step_at(trace, _busiest_moment(requests, check.max))


def _busiest_moment(requests: tuple[RequestRecord, ...], limit: int | None) -> float | None:
    """When the most requests were on the wire (or the first moment past ``limit``)."""
    spans = sorted(on_the_wire(r) for r in requests)
    best_at, best = None, 0
    for start, _ in spans:
        now = sum(1 for s, e in spans if s <= start < e)
        if limit is not None and now > limit:
            return start
        if now > best:
            best_at, best = start, now
    return best_at


def _tcp_connects(check: TcpConnects, trace: Trace) -> Finding:
    connects = connect_times(trace.events)
    count = len(connects)
    ok = (check.min is None or count >= check.min) and (check.max is None or count <= check.max)
    bounds = [f"at least {check.min}"] if check.min is not None else []
    bounds += [f"at most {check.max}"] if check.max is not None else []
    detail = f"{count} TCP connection(s) were opened; expected {' and '.join(bounds)}"
    at = connects[check.max] if check.max is not None and len(connects) > check.max else None
    return ok, detail, step_at(trace, at)


def _clients(check: Clients, trace: Trace) -> Finding:
    requests = upstream_requests(trace)
    made = find_clients(trace.events)
    if check.scope == "made":
        clients = [c for c in made if c.line is not None]
        what = "your code made"
    else:
        numbers = {r.client for r in requests if r.client is not None}
        clients = [c for c in made if c.number in numbers]
        what = "sent the upstream requests"
    # The evidence is the step under way when a client was made (entering ``async with``), not a
    # later step on the same line (leaving the block).
    first = step_at(trace, clients[0].created_ms) if clients else step_at(trace, None)
    if not clients and (check.explicit_timeout or check.phase_timeouts or check.closed):
        return False, f"no client {what.removeprefix('your code ')}", first
    if check.exactly is not None and len(clients) != check.exactly:
        lines = sorted({c.line for c in clients if c.line is not None})
        where = f" (made at line {', '.join(map(str, lines))})" if lines else ""
        step = first
        if len(clients) > 1:
            step = step_at(trace, clients[1].created_ms)
        return False, f"{len(clients)} client(s) {what}{where}; expected {check.exactly}", step
    for client in clients:
        problem = _client_problem(check, client, requests)
        if problem is not None:
            return False, problem, step_at(trace, client.created_ms)
    said = [f"{len(clients)} client(s) {what}; {len(requests)} upstream request(s)"]
    if clients and (check.explicit_timeout or check.phase_timeouts):
        said.append(f"timeout {_timeouts(clients[0])}")
    if check.closed and clients:
        said.append("closed after the last request")
    return True, "; ".join(said), first


def _client_problem(
    check: Clients, client: ClientRecord, requests: tuple[RequestRecord, ...]
) -> str | None:
    if check.explicit_timeout and client.default_timeout:
        return (
            f"the client made at line {client.line} keeps httpx's default timeout (5 s); "
            "set the client's own (a timeout= per request, or timeout=5.0, does not count)"
        )
    if check.explicit_timeout:
        unbounded = [phase for phase, value in client.timeout if value is None]
        if unbounded:
            return (
                f"the client made at line {client.line} has no {' or '.join(unbounded)} "
                f"timeout (None), so a request can wait forever: {_timeouts(client)}"
            )
    for phase in check.phase_timeouts:
        value = client.phase_timeout(phase)
        if value is None or value == DEFAULT_TIMEOUT_S:
            return f"the client's {phase} timeout is {value}, not set: {_timeouts(client)}"
    if check.closed:
        last = max((r.end_ms for r in requests if r.client == client.number), default=0.0)
        if client.closed_ms is None:
            return f"the client made at line {client.line} was never closed"
        if client.closed_ms < last:
            return "the client was closed before its last request ended"
    return None


def _timeouts(client: ClientRecord) -> str:
    return ", ".join(
        f"{phase}={value:g}" if value is not None else f"{phase}=None"
        for phase, value in client.timeout
    )


def _raises(check: Raises, trace: Trace) -> Finding:
    error = trace.error
    seen = error.type if error is not None else None
    ok = seen == check.type and trace.stopped is None
    if trace.stopped is not None and error is None:
        detail = "the call never finished: it hung until the run was stopped"
    elif error is None:
        detail = "the call returned without raising"
    elif check.type is None:
        detail = f"the call did not finish: it raised {error.type}: {error.message}"
    else:
        detail = f"the call raised {error.type}: {error.message}"
    if not ok and check.type is not None:
        detail += f"; expected {check.type}"
    if not ok and check.failure is not None:
        detail = f"{check.failure}: {detail}"
    return ok, detail, _error_step(trace) if error is not None else step_at(trace, None)


def _caught(check: Caught, trace: Trace) -> Finding:
    found = find_exceptions(trace.events)
    caught = [e for e in found if e.how == "caught"]
    mine = [e for e in caught if e.type == check.type]
    if mine:
        return (
            True,
            f"{check.type} was caught at line {mine[0].line}",
            step_of_line(trace, mine[0].line, mine[0].t_ms),
        )
    raised = [e for e in found if e.how == "raised" and e.type == check.type]
    if raised:
        return (
            False,
            f"{check.type} was raised at line {raised[0].line} and not caught",
            (step_at(trace, raised[0].t_ms)),
        )
    others = sorted({e.type for e in caught})
    seen = f"only {', '.join(others)} was caught" if others else "nothing was caught"
    return False, f"no {check.type} was caught ({seen})", step_at(trace, None)


def _stalls(check: Stalls, trace: Trace) -> Finding:
    # Making an httpx client loads the CA certificates synchronously: a one-off cost of the
    # library at the line that makes it, not a blocking call the learner wrote.
    client_lines = {client.line for client in find_clients(trace.events)}
    stalls = [s for s in trace.blocked if s.line is not None and s.line not in client_lines]
    ok = len(stalls) <= check.max
    if not stalls:
        return ok, "no line of yours blocked the event loop", step_at(trace, None)
    first = stalls[0]
    detail = (
        f"line {first.line} held the event loop for {first.ms:.0f} ms without yielding"
        f" ({len(stalls)} time(s))"
    )
    return ok, detail, step_of_line(trace, first.line)


def _error_step(trace: Trace) -> int | None:
    line = trace.error.line if trace.error is not None else None
    if line is None:
        return step_at(trace, None)
    at_line = [step.step for step in trace.steps if step.line == line]
    return at_line[-1] if at_line else step_at(trace, None)


def _source(check: Source, source: str) -> CheckResult:
    def result(passed: bool, detail: str) -> CheckResult:
        return CheckResult(check.id, check.text, passed, detail)

    try:
        tree = parse_module(source)
    except SyntaxError as exc:
        return result(False, f"the code does not parse (line {exc.lineno}): {exc.msg}")
    if check.catches is not None:
        wrong = catch_problem(source, check.catches)
        if wrong is not None:
            return result(False, wrong)
    handlers = [node for node in ast.walk(tree) if isinstance(node, ast.ExceptHandler)]
    named = {(h.lineno, name) for h in handlers for name in _handler_names(h)}
    resolved = {(h.line, c) for h in resolve_handlers(tree) for c in h.classes if c is not None}
    if check.no_broad_except:
        for handler in handlers:
            names = _handler_names(handler)
            if not names:
                return result(False, f"line {handler.lineno} has a bare except:")
            broad = BROAD & set(names)
            if broad:
                return result(False, f"line {handler.lineno} catches {sorted(broad)[0]}")
    if check.handler_names:
        wanted = set(check.handler_names)
        classes = {resolve(name) for name in check.handler_names} - {None}
        hits = sorted(line for line, name in named if name in wanted)
        hits += sorted(line for line, cls in resolved if cls in classes)
        if not hits:
            seen = sorted({name for _, name in named})
            listed = f"the handlers name {', '.join(seen)}" if seen else "there is no handler"
            return result(False, f"{listed}; expected {' or '.join(check.handler_names)}")
    for node in ast.walk(tree):
        name = (
            node.attr
            if isinstance(node, ast.Attribute)
            else node.id
            if isinstance(node, ast.Name)
            else None
        )
        if name is not None and name in check.forbidden_names:
            return result(False, f"line {node.lineno} uses {name}")  # type: ignore[attr-defined]
    return result(True, "your code, read line by line, follows this rule")


def _handler_names(handler: ast.ExceptHandler) -> tuple[str, ...]:
    if handler.type is None:
        return ()
    parts = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return tuple(ast.unparse(part) for part in parts)


def _short(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


_EVALUATORS: Mapping[type, Callable[..., Finding]] = {
    Returns: _returns,
    WallTime: _wall_time,
    InFlight: _in_flight,
    TcpConnects: _tcp_connects,
    Clients: _clients,
    Raises: _raises,
    Caught: _caught,
    Stalls: _stalls,
}
