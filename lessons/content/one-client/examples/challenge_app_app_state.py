from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.client = httpx.AsyncClient(timeout=httpx.Timeout(2.0))
    try:
        yield
    finally:
        await app.state.client.aclose()


app = FastAPI(lifespan=lifespan)


@app.get("/quote/{symbol}")
async def quote(symbol: str, request: Request) -> Any:
    client: httpx.AsyncClient = request.app.state.client
    response = await client.get("https://quotes.example.com/get", params={"symbol": symbol})
    return {"symbol": symbol, "upstream": response.status_code}
