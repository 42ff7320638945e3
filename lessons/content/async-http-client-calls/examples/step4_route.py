from typing import Any

import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/weather")
async def weather() -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        response = await client.get("https://api.example.com/json")
    return {"upstream": response.status_code, "data": response.json()}


async def demo() -> Any:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/weather")
    return response.json()
