"""The anonymous learner: a random id in a signed cookie, no account.

Every HTTP request gets a learner. A missing, tampered or malformed cookie is never trusted: the
request is given a fresh learner and the response sets its cookie. The id is put in
``request.state.learner`` for the routes.

The cookie is HttpOnly and SameSite=Lax (see ``loopscope.web.middleware.security`` for the rest of
the CSRF defence) and Secure when the request came over HTTPS.

The Cookie header is read by ``cookie_value``, linear in the header's length. Not by
``http.cookies.SimpleCookie`` (quadratic on backslashes before Python 3.11.10, CVE-2024-7592),
and not by Starlette's ``cookie_parser`` either: it unquotes every value with the same
``http.cookies._unquote``, so it is just as quadratic here (a 20 KB value of backslashes takes
seconds). Our cookie's value is a signed token that never needs quoting, so nothing is unquoted.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from itsdangerous import BadSignature, Signer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "loopscope_learner"
COOKIE_MAX_AGE = 365 * 24 * 3600
_ID = re.compile(r"^[0-9a-f]{32}$")
# What a signed learner id can look like; anything else in the cookie is not ours.
_TOKEN = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")


@dataclass(frozen=True, slots=True)
class Learner:
    id: str
    # True when this request issued the learner (no valid cookie came in).
    is_new: bool


def learner_signer(secret_key: str) -> Signer:
    return Signer(secret_key, salt="loopscope.learner")


def read_learner(cookie_value: str | None, signer: Signer) -> str | None:
    """The learner id of a cookie value, or None when it is missing, tampered or malformed.

    >>> signer = learner_signer("k")
    >>> read_learner(signer.sign("0" * 32).decode(), signer) == "0" * 32
    True
    >>> read_learner(signer.sign("0" * 32).decode()[:-1] + "x", signer) is None
    True
    """
    if not cookie_value:
        return None
    try:
        value = signer.unsign(cookie_value).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
    return value if _ID.match(value) else None


class LearnerMiddleware:
    """Pure ASGI middleware: resolve the learner, and set the cookie when one was issued."""

    def __init__(self, app: ASGIApp, *, secret_key: str) -> None:
        self.app = app
        self.signer = learner_signer(secret_key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        learner_id = read_learner(_cookie(scope), self.signer)
        learner = Learner(learner_id or uuid.uuid4().hex, is_new=learner_id is None)
        scope.setdefault("state", {})["learner"] = learner

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and learner.is_new:
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", self._cookie_header(learner.id, scope))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie_header(self, learner_id: str, scope: Scope) -> str:
        # The signed value is URL-safe base64 and dots: it needs no quoting.
        parts = [
            f"{COOKIE_NAME}={self.signer.sign(learner_id).decode()}",
            "HttpOnly",
            f"Max-Age={COOKIE_MAX_AGE}",
            "Path=/",
            "SameSite=Lax",
        ]
        if scope.get("scheme") == "https":
            parts.append("Secure")
        return "; ".join(parts)


def cookie_value(header: str, name: str) -> str | None:
    """The raw value of cookie ``name`` in a Cookie header, in one linear pass, unquoted never.

    >>> cookie_value("a=1; loopscope_learner=abc.def; b=2", "loopscope_learner")
    'abc.def'
    >>> cookie_value('loopscope_learner="\\\\\\"', "loopscope_learner") is None
    True
    """
    for chunk in header.split(";"):
        key, sep, value = chunk.partition("=")
        if sep and key.strip() == name:
            value = value.strip()
            return value if _TOKEN.match(value) else None
    return None


def _cookie(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            found = cookie_value(value.decode("latin-1"), COOKIE_NAME)
            if found is not None:
                return found
    return None
