from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict

import httpx
from fastapi import FastAPI, Request


class State(TypedDict):
    client: httpx.AsyncClient


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    limits = httpx.Limits(max_keepalive_connections=0)  # one client, but no connection kept
    async with httpx.AsyncClient(timeout=2.0, limits=limits) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


@app.get("/quote/{symbol}")
async def quote(symbol: str, request: Request) -> Any:
    response = await request.state.client.get(
        "https://quotes.example.com/get", params={"symbol": symbol}
    )
    return {"symbol": symbol, "upstream": response.status_code}
