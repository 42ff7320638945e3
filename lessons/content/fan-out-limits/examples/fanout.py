import asyncio
import time

import httpx

URL = "https://api.example.com/delay/0.05"  # 50 ms of work at the upstream
UPSTREAM_SEEN = "https://api.example.com/concurrency"  # what the upstream counted


async def fan_out(n: int = 20, max_connections: int = 5, bound: int = 0) -> dict[str, int]:
    """`n` requests at once through one client; `bound` > 0 adds a semaphore of that size."""
    limits = httpx.Limits(max_connections=max_connections)
    semaphore = asyncio.Semaphore(bound) if bound else None
    async with httpx.AsyncClient(timeout=10.0, limits=limits) as client:

        async def fetch(i: int) -> int:
            if semaphore is None:
                response = await client.get(URL, params={"i": i})
            else:
                async with semaphore:  # at most `bound` tasks past this line
                    response = await client.get(URL, params={"i": i})
            return response.status_code

        statuses = await asyncio.gather(*(fetch(i) for i in range(n)))
        seen = (await client.get(UPSTREAM_SEEN)).json()
    return {"answered": statuses.count(200), "most at once at the upstream": seen["peak"]}


async def curve(n: int = 40, limits: tuple[int, ...] = (1, 2, 5, 10, 20, 40)) -> list[str]:
    """The same `n` requests at each concurrency limit: time, and requests a second."""
    points = []
    for limit in limits:
        started = time.perf_counter()
        await fan_out(n, max_connections=limit)
        seconds = time.perf_counter() - started
        points.append(f"limit {limit}: {seconds * 1000:.0f} ms, {n / seconds:.0f} requests/s")
    return points
