from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI

app = FastAPI()


async def get_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2.0) as client:  # still one client per request
        yield client


@app.get("/quote/{symbol}")
async def quote(symbol: str, client: Annotated[httpx.AsyncClient, Depends(get_client)]) -> Any:
    response = await client.get("https://quotes.example.com/get", params={"symbol": symbol})
    return {"symbol": symbol, "upstream": response.status_code}
