from typing import Any

import httpx


async def get_json(client: httpx.AsyncClient, url: str) -> Any:
    response = await client.get(url)
    return response.json()


async def main(n: int = 3) -> list[Any]:
    async with httpx.AsyncClient() as client:  # one pool: the connection is kept and reused
        return [await get_json(client, "https://api.example.com/json") for _ in range(n)]
