from collections.abc import Sequence

import httpx

URLS = ("https://api.example.com/delay/0.2",) * 9


async def fetch_all(urls: Sequence[str] = URLS, at_most: int = 3) -> list[int]:
    statuses = []
    async with httpx.AsyncClient(timeout=2.0) as client:
        for url in urls:  # wrong: never more than one, so nothing overlaps
            response = await client.get(url)
            statuses.append(response.status_code)
    return statuses
