import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any, TypedDict

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI, Request


class State(TypedDict):
    client: httpx.AsyncClient


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    client = httpx.AsyncClient(timeout=2.0)
    yield {"client": client}
    # shutdown: nothing here, so the client and its pooled connection outlive the app


app = FastAPI(lifespan=lifespan)


@app.get("/price")
async def price(request: Request) -> Any:
    response = await request.state.client.get("https://prices.example.com/data")
    return response.json()


def open_sockets() -> int:
    """Sockets this process holds open (the demo upstream's ends included)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with suppress(FileNotFoundError):  # the descriptor listdir itself used is gone
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


async def run_and_shut_down() -> dict[str, int]:
    before = open_sockets()
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
            await browser.get("/price")
        during = open_sockets()
    gc.collect()
    return {"while serving": during - before, "after shutdown": open_sockets() - before}
