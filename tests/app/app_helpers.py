"""Driving the app in tests: an httpx client on the ASGI app that also records templates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BASE_URL = "http://testserver"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True, slots=True)
class Rendered:
    template: str
    context: dict[str, Any]


@dataclass
class TemplateRecorder:
    """ASGI wrapper that asks Starlette for ``http.response.debug`` and keeps what it reports."""

    app: ASGIApp
    rendered: list[Rendered] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extensions = {**scope.get("extensions", {}), "http.response.debug": {}}
        scope = {**scope, "extensions": extensions}

        async def record(message: Message) -> None:
            if message["type"] == "http.response.debug":
                info = message["info"]
                self.rendered.append(Rendered(info["template"].name, info["context"]))
                return
            await send(message)

        await self.app(scope, receive, record)

    @property
    def last(self) -> Rendered:
        return self.rendered[-1]


def client_for(
    recorder: TemplateRecorder, *, raise_app_exceptions: bool = True
) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=recorder, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


def token_in(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


async def csrf_token(client: httpx.AsyncClient, path: str = "/lessons/demo-lesson/deep") -> str:
    response = await client.get(path)
    assert response.status_code == 200
    return token_in(response.text)


HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


def learner_id(client: httpx.AsyncClient, secret: str = "test-secret") -> str:
    from loopscope.web.middleware.learner import COOKIE_NAME, learner_signer, read_learner

    found = read_learner(client.cookies.get(COOKIE_NAME), learner_signer(secret))
    assert found is not None
    return found
