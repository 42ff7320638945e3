import asyncio

import httpx

URLS = tuple(f"https://api.example.com/delay/0.{n}" for n in range(1, 6))


async def fetch_one(url: str) -> int:
    async with httpx.AsyncClient(timeout=2.0) as client:  # wrong: a client (and pool) per call
        response = await client.get(url)
    return response.status_code


async def fetch_five(urls: tuple[str, ...] = URLS) -> list[int]:
    return list(await asyncio.gather(*(fetch_one(url) for url in urls)))
