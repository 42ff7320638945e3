import asyncio

import httpx

URLS = tuple(f"https://api.example.com/delay/0.{n}" for n in range(1, 6))


async def fetch_five(urls: tuple[str, ...] = URLS) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        # wrong: returns the responses, not their status codes
        return list(await asyncio.gather(*(client.get(url) for url in urls)))
