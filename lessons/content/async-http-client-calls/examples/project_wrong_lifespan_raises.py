import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request

SOURCES = {
    "profile": "https://users.example.com/data",
    "orders": "https://orders.example.com/status/503",
    "weather": "https://weather.example.com/delay/3",
}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    timeout = httpx.Timeout(1.0, connect=0.5)
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=10)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        app.state.client = client
        # wrong: a setting read before yield that is not there; the app never starts
        app.state.api_key = os.environ["DASHBOARD_API_KEY"]
        yield


app = FastAPI(lifespan=lifespan)


async def fetch_part(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    try:
        response = await client.get(url)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "data": response.json()}


@app.get("/dashboard")
async def dashboard(request: Request) -> dict[str, Any]:
    client: httpx.AsyncClient = request.app.state.client
    parts = await asyncio.gather(*(fetch_part(client, url) for url in SOURCES.values()))
    return dict(zip(SOURCES, parts, strict=True))


async def demo() -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        response = await client.get("/dashboard")
    return {"status": response.status_code, **response.json()}
