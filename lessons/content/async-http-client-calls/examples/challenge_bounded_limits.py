import asyncio

import httpx


async def fetch_all(n: int = 9, at_most: int = 3) -> list[int]:
    url = "https://api.example.com/delay/0.2"
    # The pool itself bounds the requests on the wire: the others wait for a free connection.
    limits = httpx.Limits(max_connections=at_most)
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0, pool=None), limits=limits) as client:
        responses = await asyncio.gather(*(client.get(url) for _ in range(n)))
    return [response.status_code for response in responses]
