import asyncio

import httpx

DELAYS = (0.2, 0.4, 0.6, 2.0, 3.0)


async def one(client: httpx.AsyncClient, delay: float, parts: dict[float, str]) -> int:
    parts[delay] = "waiting"
    try:
        response = await client.get(f"https://api.example.com/delay/{delay}")
    except asyncio.CancelledError:
        parts[delay] = "cancelled"
        raise
    parts[delay] = str(response.status_code)
    return response.status_code


async def shared_deadline(deadline: float = 1.0) -> tuple[str, dict[float, str]]:
    parts: dict[float, str] = {}
    async with httpx.AsyncClient(timeout=5.0) as client:
        try:
            async with asyncio.timeout(deadline):
                results = await asyncio.gather(*(one(client, d, parts) for d in DELAYS))
        except TimeoutError:
            return "TimeoutError", parts
    return str(results), parts


async def keep_what_arrived(deadline: float = 1.0) -> list[str]:
    parts: dict[float, str] = {}
    async with httpx.AsyncClient(timeout=5.0) as client:
        tasks = [asyncio.create_task(one(client, d, parts)) for d in DELAYS]
        done, pending = await asyncio.wait(tasks, timeout=deadline)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)  # let them finish cancelling
    return [str(task.result()) if task in done else "timed out" for task in tasks]
