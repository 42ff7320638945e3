"""The anonymous learner: a random id in a signed cookie, no account.

Every HTTP request gets a learner. A missing, tampered or malformed cookie is never trusted: the
request is given a fresh learner and the response sets its cookie. The id is put in
``request.state.learner`` for the routes.

The cookie is HttpOnly and SameSite=Lax (see ``loopscope.security`` for the rest of the CSRF
defence) and Secure when the request came over HTTPS.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie

from itsdangerous import BadSignature, Signer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "loopscope_learner"
COOKIE_MAX_AGE = 365 * 24 * 3600
_ID = re.compile(r"^[0-9a-f]{32}$")


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
        learner_id = read_learner(_cookie(scope, COOKIE_NAME), self.signer)
        learner = Learner(learner_id or uuid.uuid4().hex, is_new=learner_id is None)
        scope.setdefault("state", {})["learner"] = learner

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and learner.is_new:
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", self._cookie_header(learner.id, scope))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie_header(self, learner_id: str, scope: Scope) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[COOKIE_NAME] = self.signer.sign(learner_id).decode()
        morsel = cookie[COOKIE_NAME]
        morsel["path"] = "/"
        morsel["max-age"] = COOKIE_MAX_AGE
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        if scope.get("scheme") == "https":
            morsel["secure"] = True
        return morsel.OutputString()


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            parsed: SimpleCookie = SimpleCookie()
            try:
                parsed.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is just no cookie
                return None
            if name in parsed:
                return parsed[name].value
    return None
