import asyncio
import time

import httpx


async def heartbeat(ticks: list[float], start: float) -> None:
    for _ in range(4):
        ticks.append(round(time.perf_counter() - start, 2))
        await asyncio.sleep(0.1)


async def fetch(url: str) -> int:
    async with httpx.AsyncClient() as client:
        response = await client.get(url)  # the loop runs the heartbeat meanwhile
    return response.status_code


async def main(url: str = "https://slow.example.com/delay/0.5") -> list[float]:
    ticks: list[float] = []
    await asyncio.gather(heartbeat(ticks, time.perf_counter()), fetch(url))
    return ticks
