import asyncio

import httpx


async def fetch_all(n: int = 9, at_most: int = 3) -> list[httpx.Response]:
    url = "https://api.example.com/delay/0.2"
    gate = asyncio.Semaphore(at_most)

    async def fetch_one(client: httpx.AsyncClient) -> httpx.Response:
        async with gate:
            return await client.get(url)  # wrong: the response, not its status code

    async with httpx.AsyncClient(timeout=2.0) as client:
        return list(await asyncio.gather(*(fetch_one(client) for _ in range(n))))
