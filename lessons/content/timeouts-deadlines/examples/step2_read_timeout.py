import time

import httpx

URL = "https://slow.example.com/delay/3"  # headers after 3 s


async def probe(seconds: float = 1.0) -> str:
    async with httpx.AsyncClient(timeout=seconds) as client:
        started = time.perf_counter()
        try:
            response = await client.get(URL)
            outcome = str(response.status_code)
        except httpx.TimeoutException as exc:
            outcome = type(exc).__name__
        return f"{outcome} after {int(time.perf_counter() - started)} s"
