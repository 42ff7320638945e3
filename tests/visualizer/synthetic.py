"""Small synthetic event lists for unit tests of the fold, the wording and the analyses.

``Script`` is a tiny clock plus a list: each ``add`` stamps the event a millisecond (or ``dt``)
after the previous one, so tests state what happened and in what order, never real timings.
"""

from __future__ import annotations

from typing import Any

from visualizer.contract.events import (
    NOT_SET,
    AnyEvent,
    AwaitDone,
    AwaitStarted,
    ClientCreated,
    CoroutineCreated,
    FrameEntered,
    HttpPhase,
    IoWait,
    LineRan,
    RequestSent,
    ResponseArrived,
    Resumed,
    Returned,
    Snapshot,
    Suspended,
    TaskDone,
    TaskStarted,
    Wake,
)

SOURCE = """\
import httpx


async def fetch_data(url):
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    return response.text
"""
MISSING_AWAIT = SOURCE.replace("await client.get(url)", "client.get(url)")
CALL = 'fetch_data("u")'
TASK = CALL
URL = "https://api.example.com/data"
READABLE = Wake(reason="socket", peer="api.example.com:443", readable=True)


class Script:
    def __init__(self) -> None:
        self.t = 0.0
        self.events: list[AnyEvent] = []

    def add(self, record: type[Any], /, *, dt: float = 1.0, **fields: Any) -> Script:
        self.t += dt
        fields.setdefault("task", TASK)
        self.events.append(record(t_ms=self.t, **fields))
        return self


def opening(*, client_ms: float = 37.0) -> Script:
    """The call, the task, entering the ``async with`` that builds a client (rows 1 and 2)."""
    frame = "fetch_data"
    script = Script()
    script.add(
        CoroutineCreated, task=None, line=4, frame=frame, call=CALL,
        shown="<coroutine fetch_data>", changes={"url": "'u'"},
    )  # fmt: skip
    script.add(TaskStarted, coroutine="<coroutine fetch_data>", root=True)
    script.add(
        FrameEntered, line=4, frame=frame, function=frame,
        changes={"url": "'u'", "client": NOT_SET, "response": NOT_SET},
    )  # fmt: skip
    script.add(LineRan, line=5, frame=frame)
    script.add(ClientCreated, dt=client_ms, line=5, client=1, sync=False, ms=client_ms, cpu_ms=30.0)
    script.add(AwaitStarted, kind="aenter", line=5, frame=frame, text="httpx.AsyncClient()",
               target="client")  # fmt: skip
    script.add(AwaitDone, line=5, frame=frame, value="AsyncClient (open)",
               changes={"client": "AsyncClient (open)"})  # fmt: skip
    return script


def closing(script: Script, *, returned: str = "'text'") -> Script:
    """Leave the block, return, finish (rows 5 to 7)."""
    frame = "fetch_data"
    script.add(AwaitStarted, kind="aexit", line=5, frame=frame, text="httpx.AsyncClient()",
               target="client")  # fmt: skip
    script.add(AwaitDone, line=5, frame=frame, value="AsyncClient (closed)",
               changes={"client": "AsyncClient (closed)"})  # fmt: skip
    script.add(LineRan, line=7, frame=frame)
    script.add(Returned, line=7, frame=frame, value=returned)
    script.add(TaskDone, outcome="returned", value=returned)
    return script


def canonical(*, wakes: tuple[tuple[Wake, ...], ...] = ((), (), (READABLE,))) -> list[AnyEvent]:
    """The documented example: one awaited GET that suspends while the loop idles."""
    frame = "fetch_data"
    script = opening()
    script.add(LineRan, line=6, frame=frame)
    script.add(AwaitStarted, kind="await", line=6, frame=frame, text="client.get(url)",
               target="response")  # fmt: skip
    script.add(RequestSent, line=6, request=1, method="GET", url=URL)
    for phase in ("connect_tcp", "start_tls", "send_request_headers"):
        script.add(HttpPhase, line=6, request=1, scope="connection", phase=phase, state="started")
        script.add(HttpPhase, line=6, request=1, scope="connection", phase=phase, state="complete")
    for woken in wakes:
        script.add(Suspended, line=6, on="future")
        script.add(IoWait, task=None, ms=2.0, woken=woken)
        script.add(Resumed, line=6)
    script.add(ResponseArrived, line=6, request=1, status_code=200, reason="OK")
    script.add(AwaitDone, line=6, frame=frame, value="Response [200 OK]",
               changes={"response": "Response [200 OK]"})  # fmt: skip
    script.add(Snapshot, line=6, frame=frame)
    return closing(script).events


def missing_await() -> list[AnyEvent]:
    """``response = client.get(url)`` without ``await``: the coroutine is only created."""
    frame = "fetch_data"
    script = opening()
    script.add(LineRan, line=6, frame=frame)
    script.add(Snapshot, line=6, frame=frame,
               changes={"response": "<coroutine AsyncClient.get>"})  # fmt: skip
    return closing(script).events
