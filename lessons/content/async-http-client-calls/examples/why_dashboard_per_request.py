import asyncio
from typing import Any

import httpx
from fastapi import FastAPI

SERVICES = {
    "profile": "https://users.example.com/delay/0.3",
    "orders": "https://orders.example.com/delay/0.3",
    "news": "https://news.example.com/delay/0.3",
}

app = FastAPI()


@app.get("/dashboard")
async def dashboard() -> dict[str, int]:
    # Counter-example: gathered, but with a new client for every page view.
    async with httpx.AsyncClient(timeout=2.0) as client:
        answers = await asyncio.gather(*(client.get(url) for url in SERVICES.values()))
    return {name: answer.status_code for name, answer in zip(SERVICES, answers, strict=True)}


async def two_page_views() -> list[Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        return [(await browser.get("/dashboard")).json() for _ in range(2)]
