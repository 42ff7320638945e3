import asyncio
import time
from collections.abc import Sequence

import httpx

URLS = ("https://api.example.com/delay/0.2",) * 9


async def fetch_all(urls: Sequence[str] = URLS, at_most: int = 3) -> list[int]:
    statuses: list[int] = []
    async with httpx.AsyncClient(timeout=2.0) as client:
        for start in range(0, len(urls), at_most):
            batch = urls[start : start + at_most]
            responses = await asyncio.gather(*(client.get(url) for url in batch))
            statuses.extend(response.status_code for response in responses)
            time.sleep(0.1)  # noqa: ASYNC251 -- wrong: a "polite" pause that blocks the loop
    return statuses
