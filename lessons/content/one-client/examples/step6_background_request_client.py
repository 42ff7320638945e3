from collections.abc import AsyncIterator
from typing import Annotated

import httpx
from fastapi import BackgroundTasks, Depends, FastAPI

app = FastAPI()
outcomes: list[str] = []  # what each background task ended with


async def get_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2.0) as client:  # request-scoped
        yield client
    # scope="function": FastAPI runs this exit as soon as the route returns, before the
    # response is sent and before any background task: the client is closed by then


Client = Annotated[httpx.AsyncClient, Depends(get_client, scope="function")]


async def notify(client: httpx.AsyncClient, order: int) -> None:
    try:
        response = await client.get(f"https://hooks.example.com/status/20{order}")
        outcomes.append(f"notified {response.status_code}")
    except RuntimeError as exc:
        outcomes.append(f"RuntimeError: {exc}")


@app.post("/orders/{order}")
async def place_order(order: int, client: Client, tasks: BackgroundTasks) -> dict[str, int]:
    tasks.add_task(notify, client, order)  # runs after the response is sent
    return {"order": order}


async def place_two_orders() -> list[str]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        for order in (1, 2):
            await browser.post(f"/orders/{order}")
    return outcomes
