import asyncio
import time

import httpx


async def nap() -> str:
    time.sleep(0.2)  # noqa: ASYNC251 (the point of the sample)
    await asyncio.sleep(0)
    return "done"


async def sync_client_inside_async() -> int:
    response = httpx.Client().get("https://api.example.com/delay/0.1")
    await asyncio.sleep(0)
    return response.status_code
