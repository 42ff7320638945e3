import asyncio

import httpx


async def every_request_still_waits(n: int = 3, delay: float = 0.3) -> bool:
    # Counter-example: the server answers at once, while the check asks each response for
    # at least `delay` elapsed.
    url = "https://slow.example.com/delay/0"
    async with httpx.AsyncClient() as client:
        responses = await asyncio.gather(*(client.get(url) for _ in range(n)))
    return all(response.elapsed.total_seconds() >= delay for response in responses)
