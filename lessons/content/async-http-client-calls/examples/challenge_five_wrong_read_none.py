import asyncio

import httpx

URLS = tuple(f"https://api.example.com/delay/0.{n}" for n in range(1, 6))


async def fetch_five(urls: tuple[str, ...] = URLS) -> list[int]:
    timeout = httpx.Timeout(2.0, read=None)  # wrong: a read may now wait forever
    async with httpx.AsyncClient(timeout=timeout) as client:
        responses = await asyncio.gather(*(client.get(url) for url in urls))
    return [response.status_code for response in responses]
