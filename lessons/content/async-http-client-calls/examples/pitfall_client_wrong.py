from typing import Any

import httpx


async def get_json(url: str) -> Any:
    async with httpx.AsyncClient() as client:  # new pool, new TCP + TLS handshake, every call
        response = await client.get(url)
    return response.json()


async def main(n: int = 3) -> list[Any]:
    return [await get_json("https://api.example.com/json") for _ in range(n)]
