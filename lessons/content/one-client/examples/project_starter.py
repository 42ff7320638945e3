from typing import Any

import httpx
from fastapi import FastAPI

WEATHER = "https://weather.example.com/data"
AUDIT = "https://audit.example.com/status/204"

app = FastAPI()


@app.get("/weather/{city}")
async def weather(city: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=2.0) as client:  # milestone 1 and 2: one client instead
        response = await client.get(WEATHER, params={"city": city})
    response.raise_for_status()
    # milestone 3: record the lookup (POST AUDIT) in a background task, on the app's client
    return {"city": city, "summary": response.json()["message"]}


async def test_weather() -> Any:
    # milestone 4: replace the upstream with respx, run the lifespan, call the app in-process
    raise NotImplementedError
