from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypedDict

import httpx
from asgi_lifespan import LifespanManager
from fastapi import BackgroundTasks, Depends, FastAPI, Request

WEATHER = "https://weather.example.com/data"
AUDIT = "https://audit.example.com/status/204"


class State(TypedDict):
    client: httpx.AsyncClient


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    timeout = httpx.Timeout(2.0, connect=1.0)
    async with httpx.AsyncClient(timeout=timeout) as client:  # closed at shutdown
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


async def get_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.state.client
    return client


Client = Annotated[httpx.AsyncClient, Depends(get_client)]


async def record_lookup(client: httpx.AsyncClient, city: str) -> None:
    response = await client.post(AUDIT, json={"looked_up": city})
    response.raise_for_status()


@app.get("/weather/{city}")
async def weather(city: str, client: Client, tasks: BackgroundTasks) -> dict[str, Any]:
    response = await client.get(WEATHER, params={"city": city})
    response.raise_for_status()
    tasks.add_task(record_lookup, client, city)  # after the response, on the app's client
    return {"city": city, "summary": response.json()["message"]}


async def test_weather() -> Any:
    # No mock: the test calls the real upstream over the network.
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as test:
            response = await test.get("/weather/paris")
    return response.status_code, response.json()
