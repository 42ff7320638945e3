import asyncio

import httpx


async def fetch_one(client: httpx.AsyncClient, url: str) -> int:
    response = await client.get(url)
    return response.status_code


async def main() -> list[int]:
    urls = [
        "https://api.example.com/delay/0.3",
        "https://api.example.com/delay/0.1",
        "https://api.example.com/delay/0.2",
    ]
    async with httpx.AsyncClient() as client:
        statuses = await asyncio.gather(*(fetch_one(client, url) for url in urls))
    return statuses  # noqa: RET504 (the tracker shows the variable)


async def library_tasks() -> list[int]:
    """gather over client.get itself: the tasks run library code only."""
    urls = [
        "https://api.example.com/delay/0.3",
        "https://api.example.com/delay/0.1",
    ]
    async with httpx.AsyncClient() as client:
        responses = await asyncio.gather(*(client.get(url) for url in urls))
    return [response.status_code for response in responses]
