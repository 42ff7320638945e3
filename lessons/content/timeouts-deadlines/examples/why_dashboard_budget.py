import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request

NEWS = "https://news.example.com/data"
BUDGET_S = 1.0  # the page's whole budget
# The recommendations service is having a bad day: it starts answering after 0.5 s, then
# sends its body a byte every 0.5 s. No single wait reaches the client's 2 s read timeout.
RECOMMENDATIONS = "https://recs.example.com/drip/8?delay=0.5&every=0.5"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0, connect=0.5)) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


@app.get("/dashboard")
async def dashboard(request: Request) -> Any:
    client: httpx.AsyncClient = request.state.client
    deadline = asyncio.get_running_loop().time() + BUDGET_S
    news, recommendations = await asyncio.gather(
        part(client, NEWS, deadline), part(client, RECOMMENDATIONS, deadline)
    )
    return {"news": news, "recommendations": recommendations}


async def part(client: httpx.AsyncClient, url: str, deadline: float) -> int | str:
    try:
        async with asyncio.timeout_at(deadline):
            return (await client.get(url)).status_code
    except TimeoutError:
        return "left out: over budget"


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
