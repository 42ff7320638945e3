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
    # Counter-example: the sync client called straight from the coroutine, on the loop's thread.
    sync_status = fetch_sync(url)
    async_status = await fetch_async(url)
    await asyncio.sleep(0)
    return sync_status, async_status
