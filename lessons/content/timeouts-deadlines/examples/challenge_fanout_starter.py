import asyncio

import httpx

BASE = "https://parts.example.com"
BUDGET_S = 1.0  # the whole fan-out's budget


async def part(client: httpx.AsyncClient, path: str) -> str:
    response = await client.get(BASE + path)
    return str(response.status_code)


async def fan_out(paths: list[str]) -> dict[str, str]:
    async with httpx.AsyncClient(timeout=BUDGET_S) as client:
        statuses = await asyncio.gather(*(part(client, path) for path in paths))
    return dict(zip(paths, statuses, strict=True))
