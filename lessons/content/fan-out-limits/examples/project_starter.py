import asyncio
from typing import Any

import httpx
from fastapi import FastAPI

QUOTES = "https://quotes.example.com/limited/10"  # the quotes API: 10 requests a second

app = FastAPI()


@app.get("/quotes/{count}")
async def quotes(count: int) -> Any:
    async with httpx.AsyncClient(timeout=5.0) as client:  # a client, and a pool, per request

        async def quote(i: int) -> str:
            response = await client.get(QUOTES, params={"delay": 0.05, "i": i})
            response.raise_for_status()
            return str(response.json()["path"])

        return {"count": count, "quotes": await asyncio.gather(*(quote(i) for i in range(count)))}
