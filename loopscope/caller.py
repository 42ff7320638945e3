"""Who is asking: the learner and the client address of the request being served, and whether
that client is still there.

    caller = current_caller()          # None outside a request (the rooms' timers, the CLI)
    caller.learner, caller.address     # '3f…', '203.0.113.7' (an IPv6 address: its /64)
    await caller.gone.wait()           # set when the client disconnects (see ``watching``)

The address is the one the server resolved into the ASGI scope: uvicorn replaces the peer with
the ``X-Forwarded-For`` client only when the peer is one of ``LOOPSCOPE_FORWARDED_ALLOW_IPS``
and ``LOOPSCOPE_PROXY_HEADERS`` is on (``loopscope.web.server``), so a client cannot pick its own
address by sending the header. IPv6 addresses are grouped by their /64 (one household or host
gets a whole /64, and picks any address in it at will).

``CallerMiddleware`` (pure ASGI, inside ``LearnerMiddleware``) puts the ``Caller`` in a context
variable for the request. Starlette does not tell a handler that its client went away, so the
middleware also owns the request's ``receive``: while the trace service waits for a run on the
request's behalf (``async with caller.watching()``), one reader task listens for
``http.disconnect`` and sets ``gone``; any request body it reads meanwhile is kept for the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from loopscope.web.middleware.learner import Learner


UNKNOWN_ADDRESS: Final = "unknown"
IPV6_PREFIX: Final = 64
_DISCONNECT: Final[Message] = {"type": "http.disconnect"}


def address_key(host: str | None) -> str:
    """The address runs are counted by: IPv4 as is, IPv6 by its /64, anything else as sent.

    >>> address_key("203.0.113.7")
    '203.0.113.7'
    >>> address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9")
    True
    >>> address_key("::ffff:203.0.113.7")
    '203.0.113.7'
    >>> address_key(None)
    'unknown'
    """
    if not host:
        return UNKNOWN_ADDRESS
    try:
        parsed = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host[:64]  # a unix socket path or a test client's name
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


class _Inbox:
    """The request's ``receive``, shared by the app and a disconnect watcher, read by one task
    at a time. Body messages the watcher reads are handed to the app in order."""

    def __init__(self, receive: Receive, gone: asyncio.Event) -> None:
        self._receive = receive
        self._gone = gone
        self._kept: deque[Message] = deque()
        self._watcher: asyncio.Task[None] | None = None
        self._watchers = 0
        self._closed = False

    async def receive(self) -> Message:
        """What the app calls."""
        if self._watcher is not None:
            await self._stop_watching()
        if self._kept:
            return self._kept.popleft()
        if self._gone.is_set():
            return _DISCONNECT
        message = await self._receive()
        if message["type"] == "http.disconnect":
            self._gone.set()
        return message

    def start(self) -> None:
        self._watchers += 1
        # After the request (a task it started that outlived it): nothing left to listen to.
        if self._watcher is None and not self._gone.is_set() and not self._closed:
            self._watcher = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        self._watchers -= 1
        if self._watchers == 0:
            await self._stop_watching()

    async def close(self) -> None:
        self._closed = True
        await self._stop_watching()

    async def _watch(self) -> None:
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self._gone.set()
                return
            self._kept.append(message)

    async def _stop_watching(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


@dataclass(eq=False)
class Caller:
    """The learner and client address of one request (see the module docstring)."""

    learner: str
    address: str
    gone: asyncio.Event = field(default_factory=asyncio.Event)
    _inbox: _Inbox | None = None

    @contextlib.asynccontextmanager
    async def watching(self) -> AsyncIterator[asyncio.Event]:
        """Listen for the client's disconnect while inside; yields ``gone``."""
        if self._inbox is None:
            yield self.gone
            return
        self._inbox.start()
        try:
            yield self.gone
        finally:
            await self._inbox.stop()


_current: ContextVar[Caller | None] = ContextVar("loopscope_caller", default=None)


def current_caller() -> Caller | None:
    """The caller of the request being served, or None outside a request."""
    return _current.get()


@contextlib.contextmanager
def asking(caller: Caller) -> Iterator[Caller]:
    """Act as ``caller`` inside (what ``CallerMiddleware`` does for a request)."""
    token = _current.set(caller)
    try:
        yield caller
    finally:
        _current.reset(token)


def caller_of(scope: Scope) -> Caller:
    learner: Learner | None = scope.get("state", {}).get("learner")
    client = scope.get("client")
    return Caller(
        learner=learner.id if learner is not None else "",
        address=address_key(client[0] if client else None),
    )


class CallerMiddleware:
    """Pure ASGI middleware: the request's ``Caller`` in a context variable, and its receive
    shared with the disconnect watcher."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        caller = caller_of(scope)
        inbox = _Inbox(receive, caller.gone)
        caller._inbox = inbox
        token = _current.set(caller)
        try:
            await self.app(scope, inbox.receive, send)
        finally:
            await inbox.close()
            with contextlib.suppress(ValueError):  # reset from another context: nothing to undo
                _current.reset(token)
