"""Request guards that run before routing: bounded request heads, and HEAD served as GET.

- A request head (all header lines) over ``max_header_bytes``, or a Cookie header over
  ``max_cookie_bytes``, is refused with 431 before anything reads it. The server caps the
  head too (``loopscope.web.server``); this cap holds under any ASGI server.
- A Cookie pair with a backslash in it is dropped before anything parses the header. FastAPI
  reads ``request.cookies`` on every request, and Starlette's ``cookie_parser`` unquotes values
  with ``http.cookies._unquote``, which is quadratic on backslashes before Python 3.11.10
  (CVE-2024-7592): 4 KB of them cost a second. No cookie this app sets contains one.
- HEAD is answered for every GET page: the request is routed as GET and the body dropped,
  keeping the GET's headers (Content-Length included), as RFC 9110 asks.
"""

from __future__ import annotations

from typing import Final

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Browsers keep a cookie under 4096 bytes; ours is under 100.
MAX_COOKIE_BYTES: Final = 4096
TOO_LARGE: Final = "The request's headers are too large."


def head_size(headers: list[tuple[bytes, bytes]]) -> int:
    """Bytes of the header lines as sent: ``name: value\\r\\n`` each."""
    return sum(len(name) + len(value) + 4 for name, value in headers)


def _without_backslashes(header: tuple[bytes, bytes]) -> tuple[bytes, bytes]:
    """A Cookie header without the pairs that hold a backslash (linear in its length)."""
    name, value = header
    if name != b"cookie" or b"\\" not in value:
        return header
    return name, b";".join(pair for pair in value.split(b";") if b"\\" not in pair)


class RequestGuards:
    def __init__(
        self, app: ASGIApp, *, max_header_bytes: int, max_cookie_bytes: int = MAX_COOKIE_BYTES
    ) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes
        self.max_cookie_bytes = max_cookie_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        cookies = sum(len(value) for name, value in headers if name == b"cookie")
        if head_size(headers) > self.max_header_bytes or cookies > self.max_cookie_bytes:
            await PlainTextResponse(TOO_LARGE, status_code=431)(scope, receive, send)
            return
        if any(name == b"cookie" and b"\\" in value for name, value in headers):
            scope = {**scope, "headers": [_without_backslashes(h) for h in headers]}
        if scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
