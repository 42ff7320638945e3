import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request

NEWS = "https://news.example.com/data"
# The recommendations service is having a bad day: it starts answering after 0.5 s, then
# sends its body a byte every 0.5 s. No single wait reaches the 2 s read timeout.
RECOMMENDATIONS = "https://recs.example.com/drip/8?delay=0.5&every=0.5"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0, connect=0.5)) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


@app.get("/dashboard")
async def dashboard(request: Request) -> Any:
    client: httpx.AsyncClient = request.state.client
    news, recommendations = await asyncio.gather(client.get(NEWS), client.get(RECOMMENDATIONS))
    return {"news": news.status_code, "recommendations": recommendations.status_code}


async def page_view() -> Any:
    async with app.router.lifespan_context(app) as state:
        transport = httpx.ASGITransport(app=with_state(state))
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as browser:
            response = await browser.get("/dashboard")
    return response.status_code, response.json()


def with_state(state: Any) -> Any:
    async def app_with_state(scope: Any, receive: Any, send: Any) -> None:
        await app({**scope, "state": dict(state)}, receive, send)

    return app_with_state
