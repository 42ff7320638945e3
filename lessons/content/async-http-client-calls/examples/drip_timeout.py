import time

import httpx

DRIP = "https://slow.example.com/drip/10?every=0.2"  # 10 bytes, one every 0.2 s: about 1.8 s


async def read_drip(limit: float | httpx.Timeout = 0.5, url: str = DRIP) -> str:
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient(timeout=limit) as client:  # limits each phase
            response = await client.get(url)
    except httpx.TimeoutException as exc:
        return f"gave up: {type(exc).__name__}"
    took = time.perf_counter() - started
    read = limit if isinstance(limit, float | int) else limit.read
    assert read is not None
    return f"read {len(response.content)} bytes, outliving the {read} s read timeout: {took > read}"
