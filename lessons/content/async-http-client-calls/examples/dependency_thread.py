import threading
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI

app = FastAPI()


def plain_dependency() -> str:
    return threading.current_thread().name


async def async_dependency() -> str:
    return threading.current_thread().name


@app.get("/plain")
async def plain(where: Annotated[str, Depends(plain_dependency)]) -> str:
    return where


@app.get("/async")
async def not_plain(where: Annotated[str, Depends(async_dependency)]) -> str:
    return where


@app.get("/route/async")
async def async_route() -> str:
    return threading.current_thread().name  # awaited on the event loop


@app.get("/route/def")
def def_route() -> str:
    return threading.current_thread().name  # sent to the thread pool


async def route_threads(paths: tuple[str, ...] = ("/route/async", "/route/def")) -> list[Any]:
    """The thread each route ran in."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return [(await client.get(path)).json() for path in paths]


async def where_it_runs(route: str = "/plain", requests: int = 2) -> list[Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return [(await client.get(route)).json() for _ in range(requests)]
