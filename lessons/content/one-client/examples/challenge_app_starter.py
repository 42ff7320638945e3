from typing import Any

import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/quote/{symbol}")
async def quote(symbol: str) -> Any:
    async with httpx.AsyncClient(timeout=2.0) as client:
        response = await client.get("https://quotes.example.com/get", params={"symbol": symbol})
    return {"symbol": symbol, "upstream": response.status_code}
