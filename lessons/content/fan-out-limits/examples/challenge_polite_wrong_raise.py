import asyncio

import httpx


async def fetch_politely(url: str, n: int) -> list[int]:
    async with httpx.AsyncClient(timeout=5.0) as client:

        async def get() -> int:
            response = await client.get(url)
            response.raise_for_status()  # a 429 becomes an exception, and the batch fails
            return response.status_code

        return list(await asyncio.gather(*(get() for _ in range(n))))
