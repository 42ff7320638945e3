import asyncio

import httpx

UPSTREAM_SEEN = "https://api.example.com/concurrency"  # what the upstream counted


async def fetch_all(ids: list[str], limit: int = 5) -> tuple[list[str], int]:
    semaphore = asyncio.Semaphore(limit)
    done: list[str] = []
    async with httpx.AsyncClient(timeout=5.0) as client:

        async def fetch(position: int, item: str) -> str:
            delay = 0.05 * (len(ids) - position)  # the first items are the slowest, 50 ms apart
            async with semaphore:
                response = await client.get(
                    f"https://api.example.com/delay/{delay:.2f}", params={"id": item}
                )
            response.raise_for_status()
            done.append(str(response.json()["args"]["id"]))  # in the order they finish
            return done[-1]

        async with asyncio.TaskGroup() as group:
            for p, item in enumerate(ids):
                group.create_task(fetch(p, item))
        seen = (await client.get(UPSTREAM_SEEN)).json()
    return done, seen["peak"]


async def twelve() -> tuple[list[str], int]:
    return await fetch_all(["k", "b", "x", "a", "q", "c", "m", "z", "d", "r", "e", "h"], limit=3)
