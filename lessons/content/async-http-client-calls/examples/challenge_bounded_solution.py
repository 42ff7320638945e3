import asyncio
from collections.abc import Sequence

import httpx

URLS = ("https://api.example.com/delay/0.2",) * 9


async def fetch_all(urls: Sequence[str] = URLS, at_most: int = 3) -> list[int]:
    gate = asyncio.Semaphore(at_most)

    async def fetch_one(client: httpx.AsyncClient, url: str) -> int:
        async with gate:  # at most `at_most` requests in flight
            response = await client.get(url)
        return response.status_code

    async with httpx.AsyncClient(timeout=2.0) as client:
        return list(await asyncio.gather(*(fetch_one(client, url) for url in urls)))
