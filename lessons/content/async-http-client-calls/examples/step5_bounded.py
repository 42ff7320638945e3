import asyncio

import httpx

URLS = tuple(f"https://api.example.com/delay/0.{n}" for n in (2, 3, 2, 3, 2, 3))


async def at_most(limit: int = 2, urls: tuple[str, ...] = URLS) -> list[int]:
    gate = asyncio.Semaphore(limit)  # `limit` permits; a seventh caller waits for one

    async def fetch(client: httpx.AsyncClient, url: str) -> int:
        async with gate:  # hold a permit while the request is out
            response = await client.get(url)
        return response.status_code

    async with httpx.AsyncClient() as client:
        return list(await asyncio.gather(*(fetch(client, url) for url in urls)))


async def unbounded(urls: tuple[str, ...] = URLS) -> list[int]:
    async with httpx.AsyncClient() as client:
        responses = await asyncio.gather(*(client.get(url) for url in urls))
    return [response.status_code for response in responses]
