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
    errors, tasks = [], []
    async with httpx.AsyncClient(timeout=2.0) as client:
        try:
            async with asyncio.TaskGroup() as tg:
                tasks = [tg.create_task(fetch(client, url)) for url in URLS]
        except* httpx.HTTPStatusError as group:
            errors = [
                exc.response.status_code
                for exc in group.exceptions
                if isinstance(exc, httpx.HTTPStatusError)
            ]
    cancelled = sum(task.cancelled() for task in tasks)
    return f"except* caught {errors}; {cancelled} siblings cancelled"


async def plain_except() -> str:
    async with httpx.AsyncClient(timeout=2.0) as client:
        try:
            async with asyncio.TaskGroup() as tg:
                for url in URLS:
                    tg.create_task(fetch(client, url))
        except httpx.HTTPStatusError:  # never matches: the TaskGroup raises a group
            return "caught"
    return "not caught"
