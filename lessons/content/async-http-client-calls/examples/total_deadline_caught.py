import asyncio

import httpx

DRIP = "https://slow.example.com/drip/10?every=0.2"


async def fetch_within(seconds: float, url: str = DRIP) -> str:
    try:
        async with asyncio.timeout(seconds):
            async with httpx.AsyncClient(timeout=0.5) as client:
                response = await client.get(url)
    except TimeoutError:  # the deadline, caught by its own name
        return f"deadline of {seconds} s passed"
    except httpx.HTTPError as exc:
        return f"httpx gave up: {type(exc).__name__}"
    return f"read {len(response.content)} bytes"
