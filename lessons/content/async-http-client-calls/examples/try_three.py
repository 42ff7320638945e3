import asyncio

import httpx

URLS = (
    "https://api.example.com/delay/0.3",
    "https://api.example.com/delay/0.3",
    "https://api.example.com/delay/0.3",
)


async def three_gathered() -> list[int]:
    async with httpx.AsyncClient() as client:
        responses = await asyncio.gather(*(client.get(url) for url in URLS))
    return [response.status_code for response in responses]


async def three_in_a_row() -> list[int]:
    async with httpx.AsyncClient() as client:
        first = await client.get(URLS[0])
        second = await client.get(URLS[1])
        third = await client.get(URLS[2])
    return [first.status_code, second.status_code, third.status_code]
