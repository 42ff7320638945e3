import asyncio

import httpx

URL = "https://api.example.com/delay/0.5"


async def page_views(views: int = 3, connections: int = 2) -> list[int]:
    """``views`` dashboards at once on one shared client of ``connections`` connections."""
    limits = httpx.Limits(max_connections=connections)
    timeout = httpx.Timeout(2.0, pool=0.2)  # wait at most 0.2 s for a free connection
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        responses = await asyncio.gather(*(client.get(URL) for _ in range(views)))
    return [response.status_code for response in responses]
