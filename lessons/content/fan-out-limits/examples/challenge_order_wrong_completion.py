import asyncio

import httpx


async def fetch_in_order(urls: list[str], limit: int) -> list[str]:
    gate = asyncio.Semaphore(limit)
    async with httpx.AsyncClient(timeout=5.0) as client:

        async def fetch(url: str) -> str:
            async with gate:
                response = await client.get(url)
            return str(response.json()["args"]["id"])

        ids = []
        for done in asyncio.as_completed([fetch(url) for url in urls]):
            ids.append(await done)  # the order they finished in
        return ids
