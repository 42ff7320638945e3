import asyncio

import httpx

URL = "https://api.example.com/delay/0.05"  # 50 ms of work at the upstream
UPSTREAM_SEEN = "https://api.example.com/concurrency"  # what the upstream counted


async def all_at_once(n: int = 50) -> dict[str, int]:
    async with httpx.AsyncClient(timeout=5.0) as client:  # httpx's default pool: 100
        responses = await asyncio.gather(*(client.get(URL, params={"i": i}) for i in range(n)))
        seen = (await client.get(UPSTREAM_SEEN)).json()
    statuses = [response.status_code for response in responses]
    return {"answered": statuses.count(200), "most at once at the upstream": seen["peak"]}
