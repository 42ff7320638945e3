"""Security headers on every response, with a Content-Security-Policy nonce per request.

The policy allows scripts from this site only (no inline script anywhere: htmx and every
other script are files under /static), styles from this site plus ``<style>`` elements that
carry the request's nonce (the code editor injects its styles with it). Style *attributes*
stay allowed (``style-src-attr``): the server-rendered timelines place their bars with
``style="left: ..%"``, which is data from the trace, escaped, and cannot run code.

The nonce is in ``request.state.csp_nonce`` and in every page as
``<meta name="csp-nonce" content="...">``.
"""

from __future__ import annotations

import secrets
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'nonce-{nonce}'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
FIXED: Final = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def apply(headers: MutableHeaders, nonce: str) -> None:
    """Set the security headers, the CSP with ``nonce``, on a response's headers."""
    headers["Content-Security-Policy"] = CSP.format(nonce=nonce)
    for name, value in FIXED:
        headers[name] = value


class SecurityHeaders:
    """Pure ASGI middleware: a nonce for the request, the headers on its response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = new_nonce()
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                apply(MutableHeaders(scope=message), nonce)
            await send(message)

        await self.app(scope, receive, send_with_headers)
