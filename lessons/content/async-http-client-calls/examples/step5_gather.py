import asyncio

import httpx

URLS = (
    "https://api.example.com/delay/0.2",
    "https://api.example.com/delay/0.3",
    "https://api.example.com/delay/0.4",
)


async def one_by_one(urls: tuple[str, ...] = URLS) -> list[int]:
    async with httpx.AsyncClient() as client:
        return [(await client.get(url)).status_code for url in urls]


async def all_at_once(urls: tuple[str, ...] = URLS) -> list[int]:
    async with httpx.AsyncClient() as client:
        responses = await asyncio.gather(*(client.get(url) for url in urls))
    return [response.status_code for response in responses]
