import asyncio

import httpx

BASE = "https://parts.example.com"
BUDGET_S = 1.0  # the whole fan-out's budget


async def part(client: httpx.AsyncClient, path: str) -> str:
    response = await client.get(BASE + path)
    return str(response.status_code)


async def fan_out(paths: list[str]) -> dict[str, str]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=0.5)) as client:
        tasks = {path: asyncio.create_task(part(client, path)) for path in paths}
        done, pending = await asyncio.wait(tasks.values(), timeout=BUDGET_S)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    return {path: task.result() if task in done else "timed out" for path, task in tasks.items()}
