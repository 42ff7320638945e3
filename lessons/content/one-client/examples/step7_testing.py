from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypedDict

import httpx
import respx
from asgi_lifespan import LifespanManager
from fastapi import Depends, FastAPI, Request

UPSTREAM = "https://prices.example.com/data"


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


@app.get("/greeting")
async def greeting(client: Annotated[httpx.AsyncClient, Depends(get_client)]) -> Any:
    response = await client.get(UPSTREAM)
    response.raise_for_status()
    return {"greeting": response.json()["message"]}


async def call_app(path: str) -> Any:
    """What a test does: start the app with its lifespan, call it in-process."""
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as test:
            response = await test.get(path)
    return response.status_code, response.json()


async def test_with_mock_transport() -> Any:
    def upstream(request: httpx.Request) -> httpx.Response:
        assert request.url == UPSTREAM
        return httpx.Response(200, json={"message": "Hello from a MockTransport"})

    async def mocked_client() -> AsyncIterator[httpx.AsyncClient]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(upstream)) as client:
            yield client

    app.dependency_overrides[get_client] = mocked_client
    try:
        return await call_app("/greeting")
    finally:
        app.dependency_overrides.clear()


async def test_with_respx() -> Any:
    # respx patches httpx's transports: the app's own client answers from these routes.
    async with respx.mock(assert_all_called=True) as upstream:
        upstream.get(UPSTREAM).respond(json={"message": "Hello from respx"})
        return await call_app("/greeting")


async def test_upstream_down() -> Any:
    async with respx.mock:
        respx.get(UPSTREAM).respond(503)
        try:
            return await call_app("/greeting")
        except httpx.HTTPStatusError as exc:  # ASGITransport re-raises the app's error
            return f"HTTPStatusError: {exc.response.status_code}"


async def test_without_a_mock() -> Any:
    return await call_app("/greeting")  # the real upstream: a test that needs the network
