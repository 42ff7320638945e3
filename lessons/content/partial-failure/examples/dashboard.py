import asyncio
from typing import Any

import httpx

BASE = "https://api.example.com"
WIDGETS = ["news", "weather", "stocks", "sport", "traffic"]
GOOD = f"{BASE}/delay/0.3"
BROKEN = {
    "status": f"{BASE}/status/500",  # the upstream answers 500
    "timeout": f"{BASE}/delay/3",  # slower than the client's 1-second timeout
    "connect": "https://stats.internal/widgets",  # nothing listens there
}


async def fetch(client: httpx.AsyncClient, url: str) -> int:
    response = await client.get(url)
    response.raise_for_status()
    return response.status_code


async def with_gather(client: httpx.AsyncClient, urls: list[str]) -> list[int]:
    return await asyncio.gather(*(fetch(client, url) for url in urls))


async def with_taskgroup(client: httpx.AsyncClient, urls: list[str]) -> list[int]:
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(fetch(client, url)) for url in urls]
    return [task.result() for task in tasks]


async def with_partial(client: httpx.AsyncClient, urls: list[str]) -> list[int | str]:
    results = await asyncio.gather(*(fetch(client, url) for url in urls), return_exceptions=True)
    return [r if isinstance(r, int) else type(r).__name__ for r in results]


GROUPS = {"gather": with_gather, "taskgroup": with_taskgroup, "partial": with_partial}


async def dashboard(failing: str = "weather", how: str = "status", group: str = "gather") -> Any:
    urls = [BROKEN[how] if widget == failing else GOOD for widget in WIDGETS]
    run = GROUPS[group]
    async with httpx.AsyncClient(timeout=1.0) as client:
        return await run(client, urls)
