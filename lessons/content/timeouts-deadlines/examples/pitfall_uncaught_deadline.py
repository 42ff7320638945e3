import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

BUDGET_S = 1.0  # the route's whole budget


class State(TypedDict):
    client: httpx.AsyncClient


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=0.5)) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


@app.get("/report")
async def report(request: Request, delay: float = 0.2) -> Any:
    client: httpx.AsyncClient = request.state.client
    try:
        async with asyncio.timeout(BUDGET_S):
            response = await client.get(f"https://users.example.com/delay/{delay}")
    except httpx.HTTPError:  # the deadline's TimeoutError is not an httpx.HTTPError
        return JSONResponse({"detail": "the upstream failed"}, status_code=502)
    return response.json()


async def call_app(*delays: float) -> list[int]:
    """The status of ``/report`` for each upstream delay, as a browser would see it."""
    statuses = []
    async with app.router.lifespan_context(app) as state:
        transport = httpx.ASGITransport(app=with_state(state), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as browser:
            for delay in delays:
                response = await browser.get("/report", params={"delay": delay})
                statuses.append(response.status_code)
    return statuses


def with_state(state: Any) -> Any:
    async def app_with_state(scope: Any, receive: Any, send: Any) -> None:
        await app({**scope, "state": dict(state)}, receive, send)

    return app_with_state
