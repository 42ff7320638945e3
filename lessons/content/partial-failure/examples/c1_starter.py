import asyncio

import httpx


async def collect(urls: list[str]) -> list[int | str]:
    async with httpx.AsyncClient(timeout=1.0) as client:
        responses = await asyncio.gather(*(client.get(url) for url in urls))
    return [response.status_code for response in responses]
