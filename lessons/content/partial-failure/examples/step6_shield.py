import asyncio

import httpx

BASE = "https://api.example.com"


async def fetch(client: httpx.AsyncClient, url: str) -> int:
    response = await client.get(url)
    return response.status_code


async def outer_timeout() -> list[int | str]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        inner = [asyncio.create_task(fetch(client, f"{BASE}/delay/0.6")) for _ in range(2)]
        try:
            async with asyncio.timeout(0.2):
                await asyncio.gather(*inner)
        except TimeoutError:
            pass
        return [("cancelled" if task.cancelled() else task.result()) for task in inner]


async def shielded() -> list[int | str]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        inner = asyncio.create_task(fetch(client, f"{BASE}/delay/0.6"))
        outer = "finished"
        try:
            async with asyncio.timeout(0.2):
                await asyncio.shield(inner)
        except TimeoutError:
            outer = "timed out"
        return [outer, await inner]


async def after_cancel(cancel: bool = True) -> int:
    async with httpx.AsyncClient(timeout=2.0) as client:
        try:
            async with asyncio.timeout(0.2 if cancel else 2.0):
                await fetch(client, f"{BASE}/delay/0.6")
        except TimeoutError:
            pass
        return await fetch(client, f"{BASE}/json")
