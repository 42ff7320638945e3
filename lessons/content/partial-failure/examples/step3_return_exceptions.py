import asyncio
from typing import Any

import httpx

BASE = "https://api.example.com"
URLS = [f"{BASE}/delay/0.3", f"{BASE}/status/500", *[f"{BASE}/delay/0.3"] * 3]
DOWN = ["https://stats.internal/widget"] * 5


async def fetch(client: httpx.AsyncClient, url: str) -> int:
    response = await client.get(url)
    response.raise_for_status()
    return response.status_code


async def five_widgets() -> Any:
    async with httpx.AsyncClient(timeout=2.0) as client:
        results = await asyncio.gather(
            *(fetch(client, url) for url in URLS), return_exceptions=True
        )
    return [r if isinstance(r, int) else type(r).__name__ for r in results]


async def swallowed(urls: list[str] = URLS) -> list[int]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        results = await asyncio.gather(
            *(fetch(client, url) for url in urls), return_exceptions=True
        )
    return [r for r in results if not isinstance(r, BaseException)]  # errors vanish
