from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, TypedDict

import httpx
from fastapi import BackgroundTasks, Depends, FastAPI, Request


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


Client = Annotated[httpx.AsyncClient, Depends(get_client)]


async def send_welcome(client: httpx.AsyncClient, name: str) -> None:
    response = await client.post("https://mail.example.com/status/202", json={"to": name})
    response.raise_for_status()


@app.get("/signup/{name}")
async def signup(name: str, client: Client, tasks: BackgroundTasks) -> dict[str, str]:
    tasks.add_task(send_welcome, client, name)
    return {"welcome": name}
