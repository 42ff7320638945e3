from typing import Any

import httpx
from fastapi import FastAPI

app = FastAPI()
client = httpx.AsyncClient(timeout=2.0)  # one client, but nobody ever closes it


@app.get("/quote/{symbol}")
async def quote(symbol: str) -> Any:
    response = await client.get("https://quotes.example.com/get", params={"symbol": symbol})
    return {"symbol": symbol, "upstream": response.status_code}
