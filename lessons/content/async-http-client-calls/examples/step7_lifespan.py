from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with httpx.AsyncClient(timeout=2.0) as client:  # one client for the app's whole life
        app.state.client = client
        yield
    # leaving the block closed the client and its pooled connections


app = FastAPI(lifespan=lifespan)


@app.get("/data")
async def data(request: Request) -> Any:
    response = await request.app.state.client.get("https://api.example.com/data")
    return response.json()


async def demo(calls: int = 3) -> list[Any]:
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        return [(await client.get("/data")).json() for _ in range(calls)]
