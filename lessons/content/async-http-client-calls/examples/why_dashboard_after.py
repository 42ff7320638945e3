import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request

SERVICES = {
    "profile": "https://users.example.com/delay/0.3",
    "orders": "https://orders.example.com/delay/0.3",
    "news": "https://news.example.com/delay/0.3",
}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with httpx.AsyncClient(timeout=2.0) as client:  # one client for every page view
        app.state.client = client
        yield


app = FastAPI(lifespan=lifespan)


@app.get("/dashboard")
async def dashboard(request: Request) -> dict[str, int]:
    client: httpx.AsyncClient = request.app.state.client
    answers = await asyncio.gather(*(client.get(url) for url in SERVICES.values()))  # all at once
    return {name: answer.status_code for name, answer in zip(SERVICES, answers, strict=True)}


async def two_page_views() -> list[Any]:
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser,
    ):
        return [(await browser.get("/dashboard")).json() for _ in range(2)]
