import asyncio

import httpx
from aiolimiter import AsyncLimiter


async def fetch_politely(url: str, n: int) -> list[int]:
    """GET `url` `n` times; return the final status of each, all 200."""
    rate = int(url.rstrip("/").rsplit("/", 1)[1])  # the upstream's published rate
    limiter = AsyncLimiter(max(1, rate - 1), time_period=1)  # a little under it
    async with httpx.AsyncClient(timeout=5.0) as client:

        async def get() -> int:
            while True:
                async with limiter:
                    response = await client.get(url)
                if response.status_code != 429:
                    return response.status_code
                await asyncio.sleep(float(response.headers["retry-after"]))

        return list(await asyncio.gather(*(get() for _ in range(n))))
