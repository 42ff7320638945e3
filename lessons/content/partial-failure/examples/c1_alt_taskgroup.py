import asyncio

import httpx


async def outcome(client: httpx.AsyncClient, url: str) -> int | str:
    try:
        response = await client.get(url)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        return type(exc).__name__
    return response.status_code


async def collect(urls: list[str]) -> list[int | str]:
    async with httpx.AsyncClient(timeout=1.0) as client, asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(outcome(client, url)) for url in urls]
    return [task.result() for task in tasks]
