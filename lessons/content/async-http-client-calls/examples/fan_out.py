import asyncio

import httpx

URL = "https://api.example.com/delay/0.2"


async def fan_out_shared(n: int = 3, rounds: int = 2) -> list[int]:
    async with httpx.AsyncClient() as client:  # one pool, reused by every round
        statuses: list[int] = []
        for _ in range(rounds):
            responses = await asyncio.gather(*(client.get(URL) for _ in range(n)))
            statuses += [response.status_code for response in responses]
    return statuses


async def fetch_with_own_client(url: str) -> int:
    async with httpx.AsyncClient() as client:  # a new pool, and new connections, every call
        response = await client.get(url)
    return response.status_code


async def fan_out_per_call(n: int = 3, rounds: int = 2) -> list[int]:
    statuses: list[int] = []
    for _ in range(rounds):
        statuses += await asyncio.gather(*(fetch_with_own_client(URL) for _ in range(n)))
    return statuses
