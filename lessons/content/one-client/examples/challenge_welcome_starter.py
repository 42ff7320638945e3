from collections.abc import AsyncIterator
from typing import Annotated

import httpx
from fastapi import BackgroundTasks, Depends, FastAPI

app = FastAPI()


async def get_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        yield client


Client = Annotated[httpx.AsyncClient, Depends(get_client, scope="function")]


async def send_welcome(client: httpx.AsyncClient, name: str) -> None:
    response = await client.post("https://mail.example.com/status/202", json={"to": name})
    response.raise_for_status()


@app.get("/signup/{name}")
async def signup(name: str, client: Client, tasks: BackgroundTasks) -> dict[str, str]:
    tasks.add_task(send_welcome, client, name)
    return {"welcome": name}
