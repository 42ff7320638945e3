import asyncio
import time

import httpx

URL = "https://api.example.com/delay/0.05"  # 50 ms of work at the upstream
UPSTREAM_SEEN = "https://api.example.com/concurrency"  # what the upstream counted


async def pooled(n: int = 50, max_connections: int = 5) -> dict[str, int]:
    limits = httpx.Limits(max_connections=max_connections)
    async with httpx.AsyncClient(timeout=5.0, limits=limits) as client:
        started = time.perf_counter()

        async def get(i: int) -> float:
            await client.get(URL, params={"i": i})  # waits in the pool for a free connection
            return time.perf_counter() - started

        answered_after = await asyncio.gather(*(get(i) for i in range(n)))
        seen = (await client.get(UPSTREAM_SEEN)).json()
    last_vs_first = max(answered_after) / min(answered_after)
    return {
        "answered": len(answered_after),
        "most at once at the upstream": seen["peak"],
        "last answer came over 3x later than the first": last_vs_first > 3,
    }
