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


async def where_it_runs(route: str = "/plain", requests: int = 2) -> list[Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return [(await client.get(route)).json() for _ in range(requests)]
