from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Request


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        app.state.client = client
        yield


app = FastAPI(lifespan=lifespan)


async def get_client(request: Request) -> httpx.AsyncClient:  # async: no thread per request
    client: httpx.AsyncClient = request.app.state.client
    return client


Client = Annotated[httpx.AsyncClient, Depends(get_client)]


@app.get("/data")
async def data(client: Client) -> Any:
    response = await client.get("https://api.example.com/data")
    return response.json()


async def demo(calls: int = 3) -> list[Any]:
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        return [(await client.get("/data")).json() for _ in range(calls)]
