import asyncio

import httpx

# Five bytes: the first after `delay` seconds, then one every `every` seconds.
URL = "https://slow.example.com/drip/5"


async def fetch(
    delay: float = 0.5, every: float = 0.5, read: float = 1.0, deadline: float = 4.0
) -> str:
    timeout = httpx.Timeout(5.0, read=read)  # read: the longest wait for any one chunk
    async with httpx.AsyncClient(timeout=timeout) as client:
        try:
            async with asyncio.timeout(deadline):  # the whole call, end to end
                response = await client.get(URL, params={"delay": delay, "every": every})
        except httpx.TimeoutException as exc:
            return f"httpx gave up: {type(exc).__name__}"
        except TimeoutError:
            return "the deadline passed: TimeoutError"
    return f"{response.status_code}, {len(response.content)} bytes"
