from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, TypedDict

import httpx
from asgi_lifespan import LifespanManager
from fastapi import BackgroundTasks, Depends, FastAPI, Request


class State(TypedDict):
    client: httpx.AsyncClient


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    async with httpx.AsyncClient(timeout=2.0) as client:  # lives as long as the app
        yield {"client": client}


app = FastAPI(lifespan=lifespan)
outcomes: list[str] = []


async def get_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.state.client
    return client


Client = Annotated[httpx.AsyncClient, Depends(get_client)]


async def notify(client: httpx.AsyncClient, order: int) -> None:
    try:
        response = await client.get(f"https://hooks.example.com/status/20{order}")
        outcomes.append(f"notified {response.status_code}")
    except RuntimeError as exc:
        outcomes.append(f"RuntimeError: {exc}")


@app.post("/orders/{order}")
async def place_order(order: int, client: Client, tasks: BackgroundTasks) -> dict[str, int]:
    tasks.add_task(notify, client, order)  # the app's client is still open when this runs
    return {"order": order}


async def place_two_orders() -> list[str]:
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
            for order in (1, 2):
                await browser.post(f"/orders/{order}")
    return outcomes
