"""The demo upstream: an httpbin-style Starlette app served by uvicorn on 127.0.0.1.

Each worker runs it in a background thread with its own event loop (one uvicorn server for
plain http, one for TLS), so a ``time.sleep`` in the traced code cannot stall it and every trace
gets its own isolated upstream. Sockets are bound before the thread starts, uvicorn installs
no signal handlers off the main thread, and access logs are off.

    /data               a small JSON document
    /get, /anything     JSON echo of the request
    /json               a JSON document
    /delay/{seconds}    waits that long (non-blocking, at most 10 s), then answers 200
    /status/{code}      answers with that status (a 3xx but 304 redirects to /get)
    /bytes/{n}          n random bytes (at most 100 000)
    /stream/{n}         n JSON lines, streamed (at most 100)
    /drip/{n}?every=s   n bytes, one every s seconds (default 0.2, at most 2; n at most 100)
              &delay=s  ... after waiting s seconds before the headers (default 0, at most 10)
    /limited/{rate}?delay=s
                        at most ``rate`` requests a second (a token bucket of ``rate`` tokens,
                        refilled at ``rate`` a second, one bucket per rate): past it, 429 with
                        ``Retry-After`` (whole seconds, at least 1); each answer waits ``delay``;
                        over ``2 * rate`` refusals in a second bans the client: 403 for 5 s
    /concurrency        how many requests the upstream serves now, the most it served at once
                        and how many it served, since start or the last ``?reset=1`` (itself
                        not counted)
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_DELAY_S = 10.0
MAX_BYTES = 100_000
MAX_LINES = 100
MAX_DRIP_EVERY_S = 2.0
MAX_RATE = 1000
BAN_S = 5.0
_REFUSALS = {429: "rate limited", 403: "banned: requests kept coming after 429"}
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

DATA = {"id": 1, "name": "loopscope", "message": "Hello from the demo upstream"}
SLIDESHOW = {
    "slideshow": {
        "author": "loopscope",
        "title": "Async HTTP in Python",
        "slides": [
            {"title": "await", "type": "all"},
            {"title": "asyncio.gather", "type": "all"},
        ],
    }
}


async def _echo(request: Request) -> dict[str, object]:
    body = await request.body()
    return {
        "method": request.method,
        "url": str(request.url),
        "args": dict(request.query_params),
        "headers": dict(request.headers),
        "data": body.decode("utf-8", "replace")[:10_000],
    }


async def data(request: Request) -> Response:
    return JSONResponse(DATA)


async def echo(request: Request) -> Response:
    return JSONResponse(await _echo(request))


async def json_document(request: Request) -> Response:
    return JSONResponse(SLIDESHOW)


async def delay(request: Request) -> Response:
    try:
        seconds = float(request.path_params["seconds"])
    except ValueError:
        return JSONResponse({"error": "seconds must be a number"}, status_code=400)
    await asyncio.sleep(min(max(seconds, 0.0), MAX_DELAY_S))
    return JSONResponse(await _echo(request))


async def status(request: Request) -> Response:
    code: int = request.path_params["code"]
    if not 200 <= code <= 599:
        return JSONResponse({"error": "code must be 200-599"}, status_code=400)
    redirect = 300 <= code < 400 and code != 304
    return Response(status_code=code, headers={"location": "/get"} if redirect else None)


async def random_bytes(request: Request) -> Response:
    n: int = request.path_params["n"]
    return Response(os.urandom(min(n, MAX_BYTES)), media_type="application/octet-stream")


async def stream(request: Request) -> Response:
    n = min(int(request.path_params["n"]), MAX_LINES)

    async def lines() -> AsyncIterator[bytes]:
        for number in range(n):
            yield (json.dumps({"id": number, "url": str(request.url)}) + "\n").encode()

    return StreamingResponse(lines(), media_type="application/x-ndjson")


async def drip(request: Request) -> Response:
    n = min(int(request.path_params["n"]), MAX_LINES)
    try:
        every = float(request.query_params.get("every", "0.2"))
        first = float(request.query_params.get("delay", "0"))
    except ValueError:
        return JSONResponse({"error": "every and delay must be numbers"}, status_code=400)
    every = min(max(every, 0.0), MAX_DRIP_EVERY_S)
    await asyncio.sleep(min(max(first, 0.0), MAX_DELAY_S))  # a slow header: nothing sent yet

    async def drops() -> AsyncIterator[bytes]:
        for number in range(n):
            if number:
                await asyncio.sleep(every)
            yield b"*"

    return StreamingResponse(drops(), media_type="application/octet-stream")


@dataclass(slots=True)
class _Occupancy:
    """Requests being served now, the most served at once, and how many were served."""

    now: int = 0
    peak: int = 0
    served: int = 0


class _CountConcurrency:
    """ASGI middleware: counts the HTTP requests the upstream is serving at each moment."""

    def __init__(self, app: ASGIApp, occupancy: _Occupancy) -> None:
        self.app, self.occupancy = app, occupancy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/concurrency":
            await self.app(scope, receive, send)
            return
        occupancy = self.occupancy
        occupancy.now += 1
        occupancy.served += 1
        occupancy.peak = max(occupancy.peak, occupancy.now)
        try:
            await self.app(scope, receive, send)
        finally:
            occupancy.now -= 1


@dataclass(slots=True)
class _Bucket:
    """A token bucket of ``rate`` tokens, refilled at ``rate`` a second, that bans abusers.

    A client that keeps knocking after being told to wait (over ``2 * rate`` refusals within a
    second) is banned: answered 403 for ``BAN_S`` seconds, and each request during the ban
    starts it again, like the secondary limits real APIs keep (GitHub answers 403) for clients
    that ignore ``Retry-After``.
    """

    rate: int
    tokens: float
    at: float
    refused: deque[float] = field(default_factory=deque)
    banned_until: float = 0.0

    def take(self) -> tuple[int, float]:
        """Take a token: ``(200, 0)``, or the status to refuse with and the seconds to wait."""
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if now < self.banned_until:
            self.banned_until = now + BAN_S
            return 403, BAN_S
        if self.tokens >= 1:
            self.tokens -= 1
            return 200, 0.0
        self.refused.append(now)
        while self.refused[0] <= now - 1.0:
            self.refused.popleft()
        if len(self.refused) > 2 * self.rate:
            self.banned_until = now + BAN_S
            return 403, BAN_S
        return 429, (1 - self.tokens) / self.rate


def _concurrency(occupancy: _Occupancy) -> Route:
    async def concurrency(request: Request) -> Response:
        answer = {"in_flight": occupancy.now, "peak": occupancy.peak, "served": occupancy.served}
        if request.query_params.get("reset"):
            occupancy.peak, occupancy.served = occupancy.now, 0
        return JSONResponse(answer)

    return Route("/concurrency", concurrency)


def _limited(buckets: dict[int, _Bucket]) -> Route:
    async def limited(request: Request) -> Response:
        rate: int = request.path_params["rate"]
        if not 1 <= rate <= MAX_RATE:
            return JSONResponse({"error": f"rate must be 1-{MAX_RATE}"}, status_code=400)
        try:
            wait = min(max(float(request.query_params.get("delay", "0")), 0.0), MAX_DELAY_S)
        except ValueError:
            return JSONResponse({"error": "delay must be a number"}, status_code=400)
        bucket = buckets.setdefault(rate, _Bucket(rate, float(rate), time.monotonic()))
        status, wait_s = bucket.take()
        if status != 200:
            retry_after = max(1, math.ceil(wait_s))
            return JSONResponse(
                {"error": _REFUSALS[status], "retry_after": retry_after},
                status_code=status,
                headers={"retry-after": str(retry_after)},
            )
        await asyncio.sleep(wait)
        return JSONResponse({"rate": rate, "path": request.url.path})

    return Route("/limited/{rate:int}", limited, methods=_METHODS)


def create_app() -> Starlette:
    occupancy = _Occupancy()
    app = Starlette(
        routes=[
            Route("/data", data),
            Route("/get", echo),
            Route("/anything", echo, methods=_METHODS),
            Route("/post", echo, methods=["POST"]),
            Route("/json", json_document),
            Route("/delay/{seconds}", delay, methods=_METHODS),
            Route("/status/{code:int}", status, methods=_METHODS),
            Route("/bytes/{n:int}", random_bytes),
            Route("/stream/{n:int}", stream),
            Route("/drip/{n:int}", drip),
            _limited({}),
            _concurrency(occupancy),
        ]
    )
    app.add_middleware(_CountConcurrency, occupancy=occupancy)
    return app


@dataclass(frozen=True, slots=True)
class Upstream:
    """A running demo upstream."""

    http_port: int
    https_port: int


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _config(app: Starlette, cert_pem: str | None, key_pem: str | None) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_config=None,
        log_level="critical",
        access_log=False,
        lifespan="off",
        http="h11",
        ws="none",
        server_header=False,
        ssl_certfile=cert_pem,
        ssl_keyfile=key_pem,
    )


def start_upstream(cert_pem: str, key_pem: str, *, timeout_s: float = 10.0) -> Upstream:
    """Start both servers in a daemon thread; return once they accept connections."""
    plain, tls = _bound_socket(), _bound_socket()
    app = create_app()  # one app behind both servers: its counts and rate limits are shared
    servers = [
        uvicorn.Server(_config(app, None, None)),
        uvicorn.Server(_config(app, cert_pem, key_pem)),
    ]
    started = threading.Event()

    async def serve() -> None:
        runs = [
            asyncio.ensure_future(servers[0].serve([plain])),
            asyncio.ensure_future(servers[1].serve([tls])),
        ]
        while not all(server.started for server in servers):  # noqa: ASYNC110 (uvicorn's flag)
            await asyncio.sleep(0.002)
        started.set()
        await asyncio.gather(*runs)

    thread = threading.Thread(
        target=asyncio.run, args=(serve(),), name="demo-upstream", daemon=True
    )
    thread.start()
    if not started.wait(timeout_s):
        raise RuntimeError("the demo upstream did not start")
    return Upstream(plain.getsockname()[1], tls.getsockname()[1])
