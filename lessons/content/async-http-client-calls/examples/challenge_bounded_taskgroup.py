import asyncio
from collections.abc import Sequence

import httpx

URLS = ("https://api.example.com/delay/0.2",) * 9


async def fetch_all(urls: Sequence[str] = URLS, at_most: int = 3) -> list[int]:
    gate = asyncio.Semaphore(at_most)

    async def fetch_one(client: httpx.AsyncClient, url: str) -> int:
        async with gate:
            response = await client.get(url)
        return response.status_code

    async with httpx.AsyncClient(timeout=2.0) as client, asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch_one(client, url)) for url in urls]
    return [task.result() for task in tasks]
