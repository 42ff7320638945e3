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
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

MAX_DELAY_S = 10.0
MAX_BYTES = 100_000
MAX_LINES = 100
MAX_DRIP_EVERY_S = 2.0
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


def create_app() -> Starlette:
    return Starlette(
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
        ]
    )


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


def _config(cert_pem: str | None, key_pem: str | None) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(),
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
    servers = [uvicorn.Server(_config(None, None)), uvicorn.Server(_config(cert_pem, key_pem))]
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
