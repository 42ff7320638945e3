import asyncio

import httpx


async def polite_get(client: httpx.AsyncClient, url: str) -> int:
    await asyncio.sleep(0.2)  # pauses this coroutine; the loop runs the others
    response = await client.get(url)
    return response.status_code


async def main(n: int = 3) -> list[int]:
    async with httpx.AsyncClient() as client:
        url = "https://api.example.com/get"
        return list(await asyncio.gather(*(polite_get(client, url) for _ in range(n))))
