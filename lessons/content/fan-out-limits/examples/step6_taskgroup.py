import asyncio

import httpx

UPSTREAM_SEEN = "https://api.example.com/concurrency"  # what the upstream counted


async def fetch_all(ids: list[str], limit: int = 5) -> tuple[list[str], int]:
    semaphore = asyncio.Semaphore(limit)
    async with httpx.AsyncClient(timeout=5.0) as client:

        async def fetch(position: int, item: str) -> str:
            delay = 0.02 * (len(ids) - position)  # the first items are the slowest
            async with semaphore:
                response = await client.get(
                    f"https://api.example.com/delay/{delay:.2f}", params={"id": item}
                )
            response.raise_for_status()
            return str(response.json()["args"]["id"])

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(fetch(p, item)) for p, item in enumerate(ids)]
        seen = (await client.get(UPSTREAM_SEEN)).json()
    return [task.result() for task in tasks], seen["peak"]


async def twelve() -> tuple[list[str], int]:
    return await fetch_all(["k", "b", "x", "a", "q", "c", "m", "z", "d", "r", "e", "h"], limit=3)
