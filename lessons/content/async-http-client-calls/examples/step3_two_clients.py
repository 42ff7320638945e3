import asyncio

import httpx


def fetch_sync(url: str) -> int:
    with httpx.Client() as client:
        return client.get(url).status_code


async def fetch_async(url: str) -> int:
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    return response.status_code


async def both(url: str = "https://api.example.com/get") -> tuple[int, int]:
    sync_status = await asyncio.to_thread(fetch_sync, url)  # off the loop, in a worker thread
    async_status = await fetch_async(url)
    return sync_status, async_status
