from typing import Any

import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/price")
async def price() -> Any:
    # A new client, a new pool, a new TCP connection and TLS handshake: on every request.
    async with httpx.AsyncClient(timeout=2.0) as client:
        response = await client.get("https://prices.example.com/data")
    return response.json()


async def three_requests() -> list[int]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        return [(await browser.get("/price")).status_code for _ in range(3)]
