import asyncio

import httpx

URLS = tuple(f"https://api.example.com/delay/0.{n}" for n in range(1, 6))


async def fetch_five(urls: tuple[str, ...] = URLS) -> list[int]:
    async with httpx.AsyncClient(timeout=2.0) as client, asyncio.TaskGroup() as group:
        tasks = [group.create_task(client.get(url)) for url in urls]
    return [task.result().status_code for task in tasks]
