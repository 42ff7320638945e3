"""Serving the app with uvicorn, hardened against slow and idle clients.

uvicorn closes an idle keep-alive connection (``timeout_keep_alive``) but waits forever for a
client that opened a connection and sends its request slowly, or never finishes it: 600 such
connections stay open for as long as their clients like. ``ReadTimeoutH11Protocol`` gives each
request ``read_timeout_s`` to arrive whole (head and body) and closes the connection otherwise.
The rest are uvicorn's own settings, taken from ``Settings``: the head size cap, the
concurrency limit (503 past it), and which proxies' X-Forwarded-* headers are trusted.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from loopscope.settings import Settings


class ReadTimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for reading each request."""

    read_timeout_s = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._read_deadline is None and not self._reading_body():
            self._arm()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete and not cycle.more_body:
            self._disarm()  # the whole request is in

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        self._disarm()
        super().on_response_complete()

    def _reading_body(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete and self.cycle.more_body

    def _arm(self) -> None:
        self._disarm()
        self._read_deadline = self.loop.call_later(self.read_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _too_slow(self) -> None:
        self._read_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def protocol_for(settings: Settings) -> type[ReadTimeoutH11Protocol]:
    return type(
        "LoopscopeH11Protocol",
        (ReadTimeoutH11Protocol,),
        {"read_timeout_s": settings.read_timeout_s},
    )


def server_config(app: Any, settings: Settings, *, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_for(settings),
        timeout_keep_alive=int(max(1, settings.timeout_keep_alive_s)),
        h11_max_incomplete_event_size=settings.max_header_bytes,
        limit_concurrency=settings.limit_concurrency,
        proxy_headers=settings.proxy_headers,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        log_level="info",
    )
