import asyncio
import time

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


async def long_queue(pool_timeout: float = 0.3, n: int = 40) -> dict[str, object]:
    """Forty 100 ms requests on five connections: a queue far longer than the pool timeout."""
    limits = httpx.Limits(max_connections=5)
    timeout = httpx.Timeout(5.0, pool=pool_timeout)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        started = time.perf_counter()

        async def get(i: int) -> tuple[str, float]:
            try:
                response = await client.get("https://api.example.com/delay/0.1", params={"i": i})
                return str(response.status_code), time.perf_counter() - started
            except httpx.PoolTimeout:
                return "PoolTimeout", time.perf_counter() - started

        outcomes = await asyncio.gather(*(get(i) for i in range(n)))
    names = [name for name, _ in outcomes]
    slowest = max(seconds for _, seconds in outcomes)
    return {
        **{name: names.count(name) for name in sorted(set(names))},
        "slowest answer came after over twice the pool timeout": slowest > 2 * pool_timeout,
    }
