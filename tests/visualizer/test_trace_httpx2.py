"""Code written with httpx2 (``import httpx2 as httpx``) is traced like httpx code."""

from __future__ import annotations

from conftest import TraceOf

from visualizer import Trace

CALL = 'fetch_data("https://api.example.com/data")'


def meaning(trace: Trace) -> list[tuple[object, ...]]:
    """What the rows tell, leaving out timings (a wait's result says how long the loop idled,
    and how often it woke) and the client build's cost."""
    return [
        (
            s.line,
            s.task,
            s.action,
            "" if s.waiting else s.result,
            s.changes,
            s.waiting,
            s.waiting_on,
        )
        for s in trace.steps
    ]


def requests(trace: Trace) -> list[tuple[object, ...]]:
    return [
        (r.method, r.url, r.outcome, r.status_code, r.on_wire, r.phase_names)
        for r in trace.requests
    ]


def test_the_canonical_example_with_httpx2_means_what_it_means_with_httpx(
    trace_of: TraceOf,
) -> None:
    with_httpx = trace_of("canonical.py", CALL)
    with_httpx2 = trace_of("canonical_httpx2.py", CALL)
    assert meaning(with_httpx2) == meaning(with_httpx)
    assert requests(with_httpx2) == requests(with_httpx)
    assert with_httpx2.tcp_connects == with_httpx.tcp_connects == 1
    assert with_httpx2.clients_created == 1
    assert with_httpx2.result == with_httpx.result


def test_an_httpx2_trace_has_its_http_phases(trace_of: TraceOf) -> None:
    """The counter-example to a comparison that holds for empty traces: the phases are there."""
    (request,) = trace_of("canonical_httpx2.py", CALL).requests
    assert request.phase_names[:2] == ("connect_tcp", "start_tls")
    assert request.status_code == 200
