import asyncio

import httpx

DRIP = "https://slow.example.com/drip/10?every=0.2"  # never 0.5 s without a byte


async def fetch_within(seconds: float, url: str = DRIP) -> str:
    try:
        async with asyncio.timeout(seconds):  # a deadline for the whole call
            async with httpx.AsyncClient(timeout=0.5) as client:
                response = await client.get(url)
    except httpx.HTTPError as exc:  # TimeoutError is not an httpx error: it goes right past
        return f"httpx gave up: {type(exc).__name__}"
    return f"read {len(response.content)} bytes"
