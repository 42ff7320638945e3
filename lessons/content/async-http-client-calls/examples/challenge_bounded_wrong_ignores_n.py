import asyncio

import httpx


async def fetch_all(n: int = 9, at_most: int = 3) -> list[int]:
    url = "https://api.example.com/delay/0.2"
    gate = asyncio.Semaphore(at_most)

    async def fetch_one(client: httpx.AsyncClient) -> int:
        async with gate:
            response = await client.get(url)
        return response.status_code

    async with httpx.AsyncClient(timeout=2.0) as client:
        return list(await asyncio.gather(*(fetch_one(client) for _ in range(9))))  # wrong: not n
