import asyncio

import httpx


async def fetch(client: httpx.AsyncClient, url: str) -> int:
    response = await client.get(url)
    response.raise_for_status()
    return response.status_code


async def all_or_nothing(urls: list[str]) -> list[int | BaseException]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        results = await asyncio.gather(
            *(fetch(client, url) for url in urls), return_exceptions=True
        )
    for result in results:  # raised only once every call has finished
        if isinstance(result, Exception):
            raise result
    return results
