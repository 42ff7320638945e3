import asyncio

import httpx

URLS = tuple(f"https://api.example.com/delay/0.{n}" for n in range(1, 6))


async def fetch_five(urls: tuple[str, ...] = URLS) -> list[int]:
    statuses = [0] * len(urls)

    async def fetch_one(client: httpx.AsyncClient, index: int, url: str) -> None:
        statuses[index] = (await client.get(url)).status_code  # each in its own place

    async with httpx.AsyncClient(timeout=2.0) as client:
        for done in asyncio.as_completed([fetch_one(client, i, u) for i, u in enumerate(urls)]):
            await done
    return statuses
