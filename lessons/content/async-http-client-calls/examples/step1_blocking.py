import asyncio
import time

import httpx


async def heartbeat(ticks: list[float], start: float) -> None:
    for _ in range(4):
        ticks.append(round(time.perf_counter() - start, 2))
        await asyncio.sleep(0.1)


async def fetch_blocking(url: str) -> int:
    with httpx.Client() as client:  # a synchronous client
        # ruff's ASYNC212 rule flags this line: the mistake is the point of the example
        return client.get(url).status_code  # noqa: ASYNC212


async def main(url: str = "https://slow.example.com/delay/0.5") -> list[float]:
    ticks: list[float] = []
    await asyncio.gather(heartbeat(ticks, time.perf_counter()), fetch_blocking(url))
    return ticks
