import time

import httpx

URL = "https://slow.example.com/drip/6"  # six bytes, one every `every` seconds


async def drip(read: float = 1.0, every: float = 0.5) -> str:
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, read=read)) as client:
        started = time.perf_counter()
        try:
            response = await client.get(URL, params={"every": every})
        except httpx.ReadTimeout:
            return "ReadTimeout"
        took = time.perf_counter() - started
    return (
        f"{response.status_code}, {len(response.content)} bytes, "
        f"took over twice the read timeout: {took > 2 * read}"
    )
