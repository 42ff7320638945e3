import asyncio

import httpx

SLOW = "https://api.example.com/delay/0.3"  # each request holds its connection 300 ms


async def bounded(bound: int = 2, n: int = 10) -> dict[str, int]:
    limits = httpx.Limits(max_connections=2)
    timeout = httpx.Timeout(5.0, pool=0.1)  # the tight pool of step 4
    semaphore = asyncio.Semaphore(bound) if bound else None
    started = 0  # requests started and not finished
    most = 0

    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:

        async def get(i: int) -> str:
            nonlocal started, most
            started += 1
            most = max(most, started)
            try:
                return str((await client.get(SLOW, params={"i": i})).status_code)
            except httpx.PoolTimeout:  # never got a connection
                return "PoolTimeout"
            finally:
                started -= 1

        async def fetch(i: int) -> str:
            if semaphore is None:  # every task asks the pool at once
                return await get(i)
            async with semaphore:  # the others wait here, where no pool clock runs
                return await get(i)

        outcomes = await asyncio.gather(*(fetch(i) for i in range(n)))
    return {
        "answered": outcomes.count("200"),
        "PoolTimeout": outcomes.count("PoolTimeout"),
        "most requests started at once": most,
    }
