from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI, Request


class State(TypedDict):
    client: httpx.AsyncClient


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    async with httpx.AsyncClient(timeout=2.0) as client:  # opened once, at start-up
        yield {"client": client}  # every request sees it as request.state.client
    # leaving the block (shutdown) closed the client and its pooled connections


app = FastAPI(lifespan=lifespan)


@app.get("/price")
async def price(request: Request) -> Any:
    response = await request.state.client.get("https://prices.example.com/data")
    return response.json()


async def three_requests() -> list[int]:
    # What a server does: run the lifespan, and hand its state to every request.
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
            return [(await browser.get("/price")).status_code for _ in range(3)]
