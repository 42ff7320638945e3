import asyncio

import httpx


async def fetch_in_order(urls: list[str], limit: int) -> list[str]:
    gate = asyncio.Semaphore(limit)
    ids: list[str] = []
    async with httpx.AsyncClient(timeout=5.0) as client:

        async def fetch(url: str) -> None:
            async with gate:
                response = await client.get(url)
            ids.append(str(response.json()["args"]["id"]))

        await asyncio.gather(*(fetch(url) for url in urls))
    return sorted(ids)  # "put them back in order"
