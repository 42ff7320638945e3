import asyncio

import httpx

URLS = tuple(f"https://api.example.com/delay/0.{n}" for n in range(1, 6))


client = httpx.AsyncClient(timeout=2.0)  # one client for the module, never closed


async def fetch_five(urls: tuple[str, ...] = URLS) -> list[int]:
    responses = await asyncio.gather(*(client.get(url) for url in urls))
    return [response.status_code for response in responses]
