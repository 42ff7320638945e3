import asyncio

import httpx

SLOW = "https://api.example.com/delay/0.3"  # each request holds its connection 300 ms


async def tight_pool(pool_timeout: float | None = 0.1, n: int = 10) -> dict[str, int]:
    limits = httpx.Limits(max_connections=2)
    timeout = httpx.Timeout(5.0, pool=pool_timeout)  # pool: how long to wait for a connection
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:

        async def get(i: int) -> str:
            try:
                return str((await client.get(SLOW, params={"i": i})).status_code)
            except httpx.PoolTimeout:  # never got a connection
                return "PoolTimeout"

        outcomes = await asyncio.gather(*(get(i) for i in range(n)))
    return {name: outcomes.count(name) for name in sorted(set(outcomes))}
