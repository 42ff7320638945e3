import asyncio

import httpx


async def every_request_still_waits(n: int = 3, delay: float = 0.3) -> bool:
    # Counter-example: the server is asked to answer in a third of the time the check expects.
    url = f"https://slow.example.com/delay/{delay / 3}"
    async with httpx.AsyncClient() as client:
        responses = await asyncio.gather(*(client.get(url) for _ in range(n)))
    return all(response.elapsed.total_seconds() >= delay for response in responses)
