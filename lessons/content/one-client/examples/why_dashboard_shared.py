import asyncio
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
    async with httpx.AsyncClient(timeout=2.0) as client:  # built once, connections kept
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


@app.get("/dashboard")
async def dashboard(request: Request) -> Any:
    # After: every page view borrows a pooled connection from the app's one client.
    response = await request.state.client.get("https://stats.example.com/delay/0.05")
    return {"stats": response.status_code}


async def under_load(views: int = 24, at_once: int = 4) -> str:
    """`views` page views, `at_once` of them in flight together, through the app in-process."""
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
            statuses: list[int] = []
            for _ in range(views // at_once):
                pages = await asyncio.gather(*(browser.get("/dashboard") for _ in range(at_once)))
                statuses += [page.status_code for page in pages]
    return f"{statuses.count(200)} of {views} pages answered 200"
