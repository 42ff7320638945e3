import asyncio

import httpx

BASE = "https://parts.example.com"
BUDGET_S = 1.0  # the whole fan-out's budget


async def part(client: httpx.AsyncClient, path: str) -> str:
    try:
        response = await client.get(BASE + path)
    except httpx.TimeoutException:  # a 1 s timeout per socket operation, not per call
        return "timed out"
    return str(response.status_code)


async def fan_out(paths: list[str]) -> dict[str, str]:
    async with httpx.AsyncClient(timeout=BUDGET_S) as client:
        statuses = await asyncio.gather(*(part(client, path) for path in paths))
    return dict(zip(paths, statuses, strict=True))
