import asyncio

import httpx

URL = "https://api.example.com/data"


async def heartbeat(beats: list[int]) -> None:
    while True:  # another task that needs the loop: one beat every 50 ms
        await asyncio.sleep(0.05)
        beats.append(len(beats) + 1)


async def fetch_data(client: httpx.AsyncClient, beats: list[int]) -> str:
    before = len(beats)
    await asyncio.sleep(0.3)  # only this coroutine waits: the heartbeat keeps beating
    during = len(beats) - before
    response = await client.get(URL)
    return f"{response.status_code}; heartbeats during the 0.3 s pause: {during}"


async def main() -> str:
    async with httpx.AsyncClient() as client:  # built first: building it holds the loop too
        beats: list[int] = []
        beating = asyncio.create_task(heartbeat(beats))
        await asyncio.sleep(0)  # the heartbeat starts; its first beat is due in 50 ms
        text = await fetch_data(client, beats)
        beating.cancel()
    return text
