from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypedDict

import httpx
from fastapi import Depends, FastAPI, Request


class State(TypedDict):
    client: httpx.AsyncClient


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


async def get_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.state.client
    return client


@app.get("/quote/{symbol}")
async def quote(symbol: str, client: Annotated[httpx.AsyncClient, Depends(get_client)]) -> Any:
    response = await client.get("https://quotes.example.com/get", params={"symbol": symbol})
    return {"symbol": symbol, "upstream": response.status_code}
