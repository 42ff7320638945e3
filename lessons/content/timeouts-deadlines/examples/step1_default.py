import time

import httpx

URL = "https://slow.example.com/delay/6"  # answers after 6 s


async def no_timeout_given() -> tuple[str, str]:
    async with httpx.AsyncClient() as client:
        return repr(client.timeout), await ask(client)


async def timeout_of(seconds: float | None) -> tuple[str, str]:
    async with httpx.AsyncClient(timeout=seconds) as client:
        return repr(client.timeout), await ask(client)


async def ask(client: httpx.AsyncClient) -> str:
    started = time.perf_counter()
    try:
        response = await client.get(URL)
        outcome = str(response.status_code)
    except httpx.TimeoutException as exc:
        outcome = type(exc).__name__
    return f"{outcome} after {int(time.perf_counter() - started)} s"
