import asyncio

import httpx

URLS = tuple(f"https://api.example.com/delay/0.{n}" for n in range(1, 6))


async def fetch_five(urls: tuple[str, ...] = URLS) -> list[int]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        responses = await asyncio.gather(*(client.get(url) for url in urls))
    return sorted(response.status_code for response in responses)  # wrong: not in urls' order
