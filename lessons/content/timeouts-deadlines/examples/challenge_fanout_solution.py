import asyncio

import httpx

BASE = "https://parts.example.com"
BUDGET_S = 1.0  # the whole fan-out's budget


async def part(client: httpx.AsyncClient, path: str, deadline: float) -> str:
    try:
        async with asyncio.timeout_at(deadline):  # one deadline, shared by every part
            response = await client.get(BASE + path)
    except TimeoutError:
        return "timed out"
    return str(response.status_code)


async def fan_out(paths: list[str]) -> dict[str, str]:
    deadline = asyncio.get_running_loop().time() + BUDGET_S
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=0.5)) as client:
        statuses = await asyncio.gather(*(part(client, path, deadline) for path in paths))
    return dict(zip(paths, statuses, strict=True))
