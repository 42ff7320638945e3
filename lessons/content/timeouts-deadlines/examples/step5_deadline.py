import asyncio

import httpx

URL = "https://slow.example.com/drip/6?every=0.5"  # a byte every 0.5 s: 2.5 s in all


async def with_deadline(deadline: float = 1.0) -> str:
    async with httpx.AsyncClient(timeout=1.0) as client:
        try:
            async with asyncio.timeout(deadline):
                response = await client.get(URL)
        except httpx.HTTPError as exc:  # every httpx error, and not the deadline's
            return f"httpx error: {type(exc).__name__}"
    return f"{response.status_code}, {len(response.content)} bytes"


async def caught(deadline: float = 1.0) -> str:
    try:
        return await with_deadline(deadline)
    except TimeoutError as exc:
        return f"TimeoutError, an httpx.HTTPError: {isinstance(exc, httpx.HTTPError)}"
