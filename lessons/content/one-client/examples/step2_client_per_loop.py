import asyncio

import httpx


async def get_status() -> int:
    # The client belongs to this event loop: opened and closed inside it.
    async with httpx.AsyncClient(timeout=2.0) as client:
        response = await client.get("https://prices.example.com/data")
    return response.status_code


def two_event_loops() -> list[str]:
    seen: list[str] = []
    for _ in range(2):
        try:
            seen.append(str(asyncio.run(get_status())))
        except RuntimeError as exc:
            seen.append(f"RuntimeError: {exc}")
    return seen


async def demo() -> list[str]:
    return await asyncio.to_thread(two_event_loops)
