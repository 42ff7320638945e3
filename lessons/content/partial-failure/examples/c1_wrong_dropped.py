import asyncio

import httpx


async def fetch(client: httpx.AsyncClient, url: str) -> int:
    response = await client.get(url)
    response.raise_for_status()
    return response.status_code


async def collect(urls: list[str]) -> list[int | str]:
    async with httpx.AsyncClient(timeout=1.0) as client:
        results = await asyncio.gather(
            *(fetch(client, url) for url in urls), return_exceptions=True
        )
    return [r for r in results if not isinstance(r, BaseException)]  # the errors vanish
