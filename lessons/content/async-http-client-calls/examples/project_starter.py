import asyncio
from typing import Any

import httpx
from fastapi import FastAPI, Request

SOURCES = {
    "profile": "https://users.example.com/data",
    "orders": "https://orders.example.com/status/503",
    "weather": "https://weather.example.com/delay/3",
}

# Milestone 1: give the app a lifespan that opens one shared client and closes it.
app = FastAPI()


async def fetch_part(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    # Milestone 2: never raise; say what went wrong instead.
    response = await client.get(url)
    return {"ok": True, "data": response.json()}


@app.get("/dashboard")
async def dashboard(request: Request) -> dict[str, Any]:
    # Milestone 3: use the shared client and let the three calls overlap.
    parts = {}
    async with httpx.AsyncClient() as client:
        for name, url in SOURCES.items():
            parts[name] = await fetch_part(client, url)
    return parts


async def demo() -> dict[str, Any]:
    # Milestone 4: run the lifespan and call the app in-process.
    await asyncio.sleep(0)
    return {}
