import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, HTTPException, Request

UPSTREAMS = {
    "weather": "https://weather.example.com",
    "news": "https://news.example.com",
    "stocks": "https://stocks.example.com",
}
BUDGET_S = 1.0  # the whole overview's budget


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    timeout = httpx.Timeout(2.0, connect=0.5)  # per socket operation; connecting is quick
    async with httpx.AsyncClient(timeout=timeout) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


async def get_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.state.client
    return client


Client = Annotated[httpx.AsyncClient, Depends(get_client)]


async def part(
    client: httpx.AsyncClient, url: str, deadline: float | None
) -> dict[str, int] | None:
    try:
        async with asyncio.timeout_at(deadline):
            response = await client.get(url)
    except (TimeoutError, httpx.TimeoutException):
        return None  # left out: it did not arrive within the budget
    return {"status": response.status_code}


@app.get("/overview")
async def overview(
    client: Client, weather: str = "/data", news: str = "/data", stocks: str = "/data"
) -> Any:
    paths = {"weather": weather, "news": news, "stocks": stocks}
    try:
        async with asyncio.timeout(BUDGET_S):
            parts = await asyncio.gather(
                *(part(client, UPSTREAMS[name] + path, None) for name, path in paths.items())
            )
    except TimeoutError:  # what had arrived is thrown away with the rest
        raise HTTPException(504, "the upstreams took too long") from None
    arrived = {name: body for name, body in zip(paths, parts, strict=True) if body is not None}
    if not arrived:
        raise HTTPException(504, "no upstream answered within the budget")
    missing = sorted(set(paths) - set(arrived))
    return {**arrived, "missing": missing} if missing else arrived
