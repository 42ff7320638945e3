import asyncio

import httpx


async def fetch(client: httpx.AsyncClient, url: str) -> httpx.Response:
    response = await client.get(url)
    response.raise_for_status()
    return response  # the response, not its status code


async def all_or_nothing(urls: list[str]) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=2.0) as client, asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(fetch(client, url)) for url in urls]
    return [task.result() for task in tasks]
