import asyncio
from collections.abc import Sequence

import httpx

URLS = ("https://api.example.com/delay/0.2",) * 9


async def fetch_all(urls: Sequence[str] = URLS, at_most: int = 3) -> list[int]:
    gate = asyncio.Semaphore(at_most)
    statuses = []

    async def fetch_one(client: httpx.AsyncClient, url: str) -> int:
        async with gate:
            response = await client.get(url)
        return response.status_code

    async with httpx.AsyncClient(timeout=2.0) as client:
        # wrong: in the order the answers arrive, not the order of urls
        for done in asyncio.as_completed([fetch_one(client, url) for url in urls]):
            statuses.append(await done)
    return statuses
