import asyncio

import httpx

URLS = tuple(f"https://api.example.com/delay/0.{n}" for n in range(1, 6))


async def fetch_five(urls: tuple[str, ...] = URLS) -> list[int]:
    statuses = []
    async with httpx.AsyncClient(timeout=2.0) as client:
        # wrong: in the order the answers arrive, not the order of urls
        for next_done in asyncio.as_completed([client.get(url) for url in urls]):
            statuses.append((await next_done).status_code)
    return statuses
