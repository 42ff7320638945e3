import asyncio

import httpx


async def fetch_in_order(urls: list[str], limit: int) -> list[str]:
    """Each URL's `id`, in the order of `urls`, with at most `limit` requests in flight."""
    # The pool is the bound here: at most `limit` connections, the rest wait in the pool.
    limits = httpx.Limits(max_connections=limit)
    async with httpx.AsyncClient(timeout=5.0, limits=limits) as client:

        async def fetch(url: str) -> str:
            response = await client.get(url)
            return str(response.json()["args"]["id"])

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(fetch(url)) for url in urls]
    return [task.result() for task in tasks]
