"""The contract's ``detail`` sentence of each raw event, made from its fields, in one place.

    >>> detail(IoWait(t_ms=3.0, ms=1.2))
    'woken by a timer (sleep, timeout or call_later)'

Nothing reads these sentences back: readers use the fields of ``visualizer.contract.events``.
"""

from __future__ import annotations

from collections.abc import Iterable

from visualizer.contract.events import (
    AnyEvent,
    AwaitDone,
    AwaitStarted,
    BlockCause,
    Blocked,
    Caught,
    ClientClosed,
    ClientCreated,
    CoroutineCreated,
    FrameEntered,
    HttpPhase,
    IoWait,
    LineRan,
    Printed,
    Raised,
    RequestSent,
    ResponseArrived,
    Resumed,
    Returned,
    Snapshot,
    Stopped,
    Suspended,
    TaskDone,
    TaskStarted,
    TransportBuilt,
    Unwound,
    WaitOn,
    Wake,
    Warned,
    Yielded,
)

TIMER = "a timer (sleep, timeout or call_later)"
# httpcore's phases in a learner's words, in the order a request goes through them. The
# internals (connect_tcp, start_tls, ...) stay in the raw events and behind the player's fold.
PLAIN_PHASES: dict[str, str] = {
    "wait_for_connection": "waiting for a free connection in the pool",
    "connect_tcp": "opening a TCP connection",
    "retry": "waiting to retry",
    "start_tls": "the TLS handshake",
    "send_request_headers": "sending the request",
    "send_request_body": "sending the request",
    "receive_response_headers": "waiting for the answer",
    "receive_response_body": "reading the body",
    "response_closed": "releasing the connection",
    "close": "closing the connection",
}
# What a suspended task waits for, in a learner's words (a row's ``waiting_on``).
WAITING_ON: dict[str, str] = {
    "network": "the network",
    "pool": "a free connection in the pool",
    "semaphore": "a semaphore",
    "lock": "a lock",
    "event": "an event",
    "condition": "a condition",
    "queue": "a queue",
    "sleep": "a timer (sleep)",
    "thread": "a worker thread",
    "tasks": "other tasks",
    "stream": "the next chunk of a streamed body",
}


def plain_phases(names: list[str] | tuple[str, ...]) -> str:
    """``opening a TCP connection, then the TLS handshake, then sending the request``."""
    words = dict.fromkeys(PLAIN_PHASES.get(name, name.replace("_", " ")) for name in names)
    return ", then ".join(words)


LIMITS = {
    "time": "the time limit",
    "steps": "the event limit",
    "output": "the output limit",
    "memory": "the memory limit",
    "cpu": "the CPU time limit",
    "processes": "the process limit",
    "trace_size": "the trace size limit",
    "requests": "the request cap",
}
# Why a stall held the loop, by cause (the table, the views and the export all say it so).
CAUSES: dict[BlockCause, str] = {
    "sleep": "time.sleep() blocks the whole thread",
    "sync_http": "a sync httpx.Client request blocks the whole thread",
    "cpu": "the code computes without ever awaiting",
}


def wake(reason: Wake) -> str:
    """One reason the loop woke: ``api.example.com:443 readable``."""
    if reason.reason == "timer":
        return TIMER
    if reason.reason == "thread":
        return "a wake-up from another thread"
    if reason.reason == "connected":
        return f"{reason.peer} connected"
    state = " and ".join(
        name
        for flag, name in ((reason.readable, "readable"), (reason.writable, "writable"))
        if flag
    )
    return f"{reason.peer or 'a socket'} {state}".rstrip()


def woken(reasons: Iterable[Wake]) -> tuple[Wake, ...]:
    """The wake reasons of one ``select()`` return; none at all means a timer fired."""
    given = tuple(reasons)
    return given or (Wake(reason="timer"),)


def tally(reasons: Iterable[Wake]) -> tuple[str, ...]:
    """Wake reasons, each once, with how many times: ``("a timer (…) (x2)", "x:443 readable")``.

    Counted on the typed reasons, so a reason whose words hold a comma stays whole.
    """
    counts: dict[Wake, int] = {}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    return tuple(wake(r) + (f" (x{n})" if n > 1 else "") for r, n in counts.items())


def counted(reasons: Iterable[Wake]) -> str:
    """``tally`` as one phrase."""
    return ", ".join(tally(reasons))


def waits_on(on: WaitOn, subject: str) -> str:
    """What a suspension waits for: ``waits for gather of 3``, ``waits on a Future``."""
    return {
        "yield": "a bare yield (one turn of the loop)",
        "task": f"waits for task {subject}",
        "gather": f"waits for gather of {subject}",
        "future": "waits on a Future",
        "value": f"yields {subject}",
    }[on]


def cause(blocked: Blocked) -> str:
    return CAUSES[blocked.cause]


def detail(event: AnyEvent) -> str:
    """The event as one short sentence (the contract's ``detail``)."""
    match event:
        case CoroutineCreated():
            return f"{event.call} creates {event.shown}"
        case TaskStarted():
            by = f" by {event.creator}" if event.creator else ""
            return f"{event.coroutine} wrapped in a task{by}"
        case TaskDone():
            return (
                event.outcome if event.outcome == "cancelled" else f"{event.outcome} {event.value}"
            )
        case FrameEntered():
            return f"{event.function}({', '.join(event.arguments)})"
        case LineRan() | Snapshot():
            return ""
        case AwaitStarted():
            return event.text
        case Suspended():
            return waits_on(event.on, event.subject)
        case Yielded():
            return "a bare yield"
        case Resumed():
            return f"with {event.thrown.text} thrown in" if event.thrown else ""
        case AwaitDone():
            return "end of iteration" if event.end_of_iteration else event.value
        case Raised() | Unwound():
            return event.error.text
        case Caught():
            return event.error.text if event.error else ""
        case Returned():
            return event.value
        case ClientCreated():
            kind = "httpx.Client" if event.sync else "httpx.AsyncClient"
            return f"{kind} built in {event.ms:.1f} ms (its TLS context loads the CA certificates)"
        case TransportBuilt():
            return f"transport built in {event.ms:.1f} ms (its TLS context loads the CA bundle)"
        case ClientClosed():
            return f"client {event.client} closed"
        case RequestSent():
            return f"request.started {event.method} {event.url}"
        case HttpPhase():
            host = f" {event.host}" if event.host else ""
            return f"{event.scope}.{event.phase}.{event.state}{host}"
        case ResponseArrived():
            return f"response.headers {event.status_code} {event.reason}".rstrip()
        case IoWait():
            return "woken by " + ", ".join(wake(r) for r in woken(event.woken))
        case Blocked():
            return f"ran {event.ms:.0f} ms without yielding to the event loop: {cause(event)}"
        case Printed():
            return event.text
        case Warned():
            return f"{event.category}: {event.message}"
        case Stopped():
            where = f" while running line {event.line}" if event.line is not None else ""
            return f"stopped at {LIMITS[event.reason]}{where}"
    raise AssertionError(f"no wording for {event!r}")  # pragma: no cover
