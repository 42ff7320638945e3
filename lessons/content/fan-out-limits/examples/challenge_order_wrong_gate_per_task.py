import asyncio

import httpx


async def fetch_in_order(urls: list[str], limit: int) -> list[str]:
    async with httpx.AsyncClient(timeout=5.0) as client:

        async def fetch(url: str) -> str:
            async with asyncio.Semaphore(limit):  # a new gate per task bounds nothing
                response = await client.get(url)
            return str(response.json()["args"]["id"])

        return list(await asyncio.gather(*(fetch(url) for url in urls)))
