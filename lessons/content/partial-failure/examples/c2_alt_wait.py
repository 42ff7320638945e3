import asyncio

import httpx


async def fetch(client: httpx.AsyncClient, url: str) -> int:
    response = await client.get(url)
    response.raise_for_status()
    return response.status_code


async def all_or_nothing(urls: list[str]) -> list[int]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        tasks = [asyncio.create_task(fetch(client, url)) for url in urls]
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)  # wait until they are gone
        for task in tasks:
            if task.done() and not task.cancelled() and (error := task.exception()):
                raise error
    return [task.result() for task in tasks]
