import asyncio
from collections.abc import Sequence

import httpx

URLS = ("https://api.example.com/delay/0.2",) * 9


async def fetch_all(urls: Sequence[str] = URLS, at_most: int = 3) -> list[int]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        responses = await asyncio.gather(*(client.get(url) for url in urls))
    return [response.status_code for response in responses]
