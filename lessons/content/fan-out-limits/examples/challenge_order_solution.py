import asyncio

import httpx


async def fetch_in_order(urls: list[str], limit: int) -> list[str]:
    """Each URL's `id`, in the order of `urls`, with at most `limit` requests in flight."""
    gate = asyncio.Semaphore(limit)
    async with httpx.AsyncClient(timeout=5.0) as client:

        async def fetch(url: str) -> str:
            async with gate:
                response = await client.get(url)
            return str(response.json()["args"]["id"])

        return list(await asyncio.gather(*(fetch(url) for url in urls)))  # gather keeps order
