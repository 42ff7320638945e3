import asyncio
from typing import Any

import httpx

BASE = "https://api.example.com"
URLS = [f"{BASE}/delay/0.3", f"{BASE}/status/500", *[f"{BASE}/delay/0.3"] * 3]


async def fetch(client: httpx.AsyncClient, url: str) -> int:
    response = await client.get(url)
    response.raise_for_status()
    return response.status_code


async def five_widgets() -> Any:
    async with httpx.AsyncClient(timeout=2.0) as client:
        tasks = [asyncio.create_task(fetch(client, url)) for url in URLS]
        try:
            return await asyncio.gather(*tasks)
        except httpx.HTTPStatusError as exc:
            running = sum(not task.done() for task in tasks)
            await asyncio.wait([task for task in tasks if not task.done()])
            later = [task.result() for task in tasks if task.exception() is None]
            return f"{exc.response.status_code} raised; {running} still running; later {later}"
