import asyncio

import httpx

URLS = tuple(f"https://api.example.com/delay/0.{n}" for n in range(1, 6))


async def fetch_five(urls: tuple[str, ...] = URLS) -> list[int]:
    async with httpx.AsyncClient(timeout=None) as client:  # wrong: no timeout at all
        responses = await asyncio.gather(*(client.get(url) for url in urls))
    return [response.status_code for response in responses]
