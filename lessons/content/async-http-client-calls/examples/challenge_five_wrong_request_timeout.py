import asyncio

import httpx

URLS = tuple(f"https://api.example.com/delay/0.{n}" for n in range(1, 6))


async def fetch_five(urls: tuple[str, ...] = URLS) -> list[int]:
    async with httpx.AsyncClient() as client:  # the client keeps the default
        responses = await asyncio.gather(*(client.get(url, timeout=2.0) for url in urls))
    return [response.status_code for response in responses]
