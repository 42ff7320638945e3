from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypedDict

import httpx
from asgi_lifespan import LifespanManager
from fastapi import Depends, FastAPI, Request


class State(TypedDict):
    client: httpx.AsyncClient


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


async def get_client(request: Request) -> httpx.AsyncClient:
    # Reads the app's client; makes nothing. async def: FastAPI calls it on the loop.
    client: httpx.AsyncClient = request.state.client
    return client


Client = Annotated[httpx.AsyncClient, Depends(get_client)]


@app.get("/price")
async def price(client: Client) -> Any:
    response = await client.get("https://prices.example.com/data")
    return response.json()


async def three_requests() -> list[int]:
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
            return [(await browser.get("/price")).status_code for _ in range(3)]
