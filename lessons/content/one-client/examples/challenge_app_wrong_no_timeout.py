from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict

import httpx
from fastapi import FastAPI, Request


class State(TypedDict):
    client: httpx.AsyncClient


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    async with httpx.AsyncClient() as client:  # httpx's 5-second default, never chosen
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


@app.get("/quote/{symbol}")
async def quote(symbol: str, request: Request) -> Any:
    response = await request.state.client.get(
        "https://quotes.example.com/get", params={"symbol": symbol}
    )
    return {"symbol": symbol, "upstream": response.status_code}
