import asyncio

import httpx


async def fetch_politely(url: str, n: int) -> list[int]:
    async with httpx.AsyncClient(timeout=5.0) as client:

        async def get() -> int:
            while True:
                response = await client.get(url)
                if response.status_code != 429:
                    return response.status_code  # retried at once: Retry-After ignored

        return list(await asyncio.gather(*(get() for _ in range(n))))
