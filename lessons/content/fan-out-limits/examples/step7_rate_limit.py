import asyncio

import httpx
from aiolimiter import AsyncLimiter

LIMITED = "https://api.example.com/limited/10"  # at most 10 requests a second, then 429
UPSTREAM_SEEN = "https://api.example.com/concurrency"


async def _report(client: httpx.AsyncClient, statuses: list[int]) -> dict[str, object]:
    served = (await client.get(UPSTREAM_SEEN)).json()["served"]  # counted since the reset
    answered = statuses.count(200)
    return {"final statuses": sorted(set(statuses)), "refused with 429": served - answered}


async def hammer(n: int = 20) -> dict[str, object]:
    """Everything at once, and a 429 is the end of it."""
    async with httpx.AsyncClient(timeout=5.0) as client:
        await client.get(UPSTREAM_SEEN, params={"reset": 1})
        responses = await asyncio.gather(*(client.get(LIMITED) for _ in range(n)))
        return await _report(client, [r.status_code for r in responses])  # 429s included


async def retry_after(n: int = 20) -> dict[str, object]:
    """Everything at once; on 429, sleep for Retry-After seconds and ask again."""
    async with httpx.AsyncClient(timeout=5.0) as client:
        await client.get(UPSTREAM_SEEN, params={"reset": 1})

        async def get() -> int:
            while True:
                response = await client.get(LIMITED)
                if response.status_code != 429:
                    return response.status_code
                await asyncio.sleep(float(response.headers["retry-after"]))

        statuses = await asyncio.gather(*(get() for _ in range(n)))
        return await _report(client, list(statuses))


async def paced(n: int = 20, per_second: float = 8) -> dict[str, object]:
    """A rate limiter a little under the upstream's 10 a second; Retry-After as the backstop."""
    limiter = AsyncLimiter(per_second, time_period=1)
    async with httpx.AsyncClient(timeout=5.0) as client:
        await client.get(UPSTREAM_SEEN, params={"reset": 1})

        async def get() -> int:
            while True:
                async with limiter:  # waits until the limiter lets one more request go
                    response = await client.get(LIMITED)
                if response.status_code != 429:
                    return response.status_code
                await asyncio.sleep(float(response.headers["retry-after"]))

        statuses = await asyncio.gather(*(get() for _ in range(n)))
        return await _report(client, list(statuses))
