import asyncio

import httpx

# Made at import, by nobody in particular: no lifespan opens it, and nothing closes it.
client = httpx.AsyncClient(timeout=2.0)


async def get_status() -> int:
    response = await client.get("https://prices.example.com/data")
    return response.status_code


def two_event_loops() -> list[str]:
    seen: list[str] = []
    for _ in range(2):  # like two tests, or two asyncio.run calls in a script
        try:
            seen.append(str(asyncio.run(get_status())))
        except RuntimeError as exc:
            seen.append(f"RuntimeError: {exc}")
    return seen


async def demo() -> list[str]:
    # asyncio.run cannot start inside a running loop: run the two loops in a worker thread.
    return await asyncio.to_thread(two_event_loops)
