import asyncio

import httpx


async def fetch(client: httpx.AsyncClient, url: str) -> int:
    response = await client.get(url)
    response.raise_for_status()
    return response.status_code


async def all_or_nothing(urls: list[str]) -> list[int]:
    async with httpx.AsyncClient(timeout=2.0) as client, asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(fetch(client, url)) for url in urls]
    return [task.result() for task in tasks]
