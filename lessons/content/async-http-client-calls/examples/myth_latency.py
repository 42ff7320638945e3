import asyncio

import httpx


async def every_request_still_waits(n: int = 3, delay: float = 0.3) -> bool:
    url = f"https://slow.example.com/delay/{delay}"
    async with httpx.AsyncClient() as client:
        responses = await asyncio.gather(*(client.get(url) for _ in range(n)))
    # The batch took about `delay` in all, yet each single request still took `delay`.
    return all(response.elapsed.total_seconds() >= delay for response in responses)
