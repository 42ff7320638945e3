import asyncio

import httpx

BASE = "https://parts.example.com"
BUDGET_S = 1.0  # the whole fan-out's budget


async def fan_out(paths: list[str]) -> dict[str, str]:
    statuses: dict[str, str] = {}
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=0.5)) as client:
        for path in paths:  # a full budget for each part, one after another
            try:
                async with asyncio.timeout(BUDGET_S):
                    response = await client.get(BASE + path)
                statuses[path] = str(response.status_code)
            except TimeoutError:
                statuses[path] = "timed out"
    return statuses
