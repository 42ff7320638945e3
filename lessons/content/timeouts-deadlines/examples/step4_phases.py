import asyncio

import httpx

SLOW = "https://api.example.com/delay/1.5"
QUICK = "https://api.example.com/data"


async def status(client: httpx.AsyncClient, url: str) -> str:
    try:
        return str((await client.get(url)).status_code)
    except httpx.TimeoutException as exc:
        return type(exc).__name__


async def phases(pool: float = 0.5) -> dict[str, str]:
    timeout = httpx.Timeout(connect=1.0, read=3.0, write=1.0, pool=pool)
    limits = httpx.Limits(max_connections=1)  # one connection: the second request queues
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        slow, queued = await asyncio.gather(status(client, SLOW), status(client, QUICK))
    return {"timeout": repr(timeout), "slow": slow, "queued": queued}
