import asyncio

import httpx


async def fetch(client: httpx.AsyncClient, url: str) -> int | str:
    try:
        response = await client.get(url)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        return type(exc).__name__
    return response.status_code


async def collect(urls: list[str]) -> list[int | str]:
    async with httpx.AsyncClient(timeout=1.0) as client:
        jobs = [fetch(client, url) for url in urls]
        return [await job for job in asyncio.as_completed(jobs)]  # finishing order
