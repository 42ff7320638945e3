"""Request guards that run before routing: bounded request heads, and HEAD served as GET.

- A request head (all header lines) over ``max_header_bytes``, or a Cookie header over
  ``max_cookie_bytes``, is refused with 431 before anything reads it. The server caps the
  head too (``loopscope.server``); this cap holds under any ASGI server.
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
        if scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
