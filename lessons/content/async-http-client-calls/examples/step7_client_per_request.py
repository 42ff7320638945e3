from typing import Any

import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/data")
async def data() -> Any:
    async with httpx.AsyncClient(timeout=2.0) as client:  # a new client, and pool, per request
        response = await client.get("https://api.example.com/data")
    return response.json()


async def demo(calls: int = 3) -> list[Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return [(await client.get("/data")).json() for _ in range(calls)]
