import asyncio
import time

import httpx


async def fetch_all(n: int = 9, at_most: int = 3) -> list[int]:
    url = "https://api.example.com/delay/0.2"
    statuses: list[int] = []
    async with httpx.AsyncClient(timeout=2.0) as client:
        for start in range(0, n, at_most):
            batch = range(start, min(start + at_most, n))
            responses = await asyncio.gather(*(client.get(url) for _ in batch))
            statuses.extend(response.status_code for response in responses)
            time.sleep(0.1)  # noqa: ASYNC251 -- wrong: a "polite" pause that blocks the loop
    return statuses
