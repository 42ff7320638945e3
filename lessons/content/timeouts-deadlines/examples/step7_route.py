import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

BUDGET_S = 1.0  # the route's whole budget
CANCELLED: list[str] = []  # upstream calls cut short, to show in the result


class State(TypedDict):
    client: httpx.AsyncClient


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=0.5)) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


async def ask(client: httpx.AsyncClient, name: str, url: str, **kwargs: Any) -> Any:
    try:
        response = await client.get(url, **kwargs)
    except asyncio.CancelledError:
        CANCELLED.append(name)
        raise
    return response.json()


@app.get("/report")
async def report(request: Request, delay: float = 0.2) -> Any:
    client: httpx.AsyncClient = request.state.client
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUDGET_S
    try:
        async with asyncio.timeout_at(deadline):
            async with asyncio.TaskGroup() as group:
                group.create_task(ask(client, "users", f"https://users.example.com/delay/{delay}"))
                group.create_task(
                    ask(client, "orders", f"https://orders.example.com/delay/{delay}")
                )
            left = deadline - loop.time()  # what is left of the budget, passed on
            echo = await ask(
                client,
                "summary",
                "https://summary.example.com/get",
                headers={"X-Budget-Ms": str(int(left * 1000))},
                timeout=left,
            )
    except TimeoutError:
        return JSONResponse({"detail": "the upstreams took too long"}, status_code=504)
    return {"budget_passed_on_ms": int(echo["headers"]["x-budget-ms"])}


async def call_app(*delays: float) -> list[Any]:
    CANCELLED.clear()
    answers: list[Any] = []
    async with app.router.lifespan_context(app) as state:
        transport = httpx.ASGITransport(app=with_state(state))
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as browser:
            for delay in delays:
                response = await browser.get("/report", params={"delay": delay})
                body = response.json()
                sent = body.get("budget_passed_on_ms")
                passed_on = sent is not None and 0 < sent < BUDGET_S * 1000
                answers.append((response.status_code, passed_on or body["detail"]))
    return [*answers, ("cancelled", sorted(CANCELLED))]


def with_state(state: Any) -> Any:
    async def app_with_state(scope: Any, receive: Any, send: Any) -> None:
        await app({**scope, "state": dict(state)}, receive, send)

    return app_with_state
