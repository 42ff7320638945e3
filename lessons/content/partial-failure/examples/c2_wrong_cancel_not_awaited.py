import asyncio

import httpx


async def fetch(client: httpx.AsyncClient, url: str) -> int:
    response = await client.get(url)
    response.raise_for_status()
    return response.status_code


async def all_or_nothing(urls: list[str], client: httpx.AsyncClient | None = None) -> list[int]:
    client = client or httpx.AsyncClient(timeout=2.0)
    tasks = [asyncio.create_task(fetch(client, url)) for url in urls]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    for task in pending:
        task.cancel()  # asked to stop, but nobody waits until they have
    for task in done:
        if (error := task.exception()) is not None:
            raise error
    await client.aclose()
    return [task.result() for task in tasks]
