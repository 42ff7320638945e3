import asyncio

import httpx

SLOW = "https://api.example.com/delay/0.3"  # each request holds its connection 300 ms


async def tight_pool(pool_timeout: float | None = 0.1, n: int = 10) -> dict[str, int]:
    limits = httpx.Limits(max_connections=2)
    timeout = httpx.Timeout(5.0, pool=pool_timeout)  # pool: how long to wait for a connection
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        outcomes = await asyncio.gather(
            *(client.get(SLOW, params={"i": i}) for i in range(n)), return_exceptions=True
        )
    counts: dict[str, int] = {}
    for outcome in outcomes:
        name = type(outcome).__name__ if isinstance(outcome, Exception) else "200"
        counts[name] = counts.get(name, 0) + 1
    return counts
