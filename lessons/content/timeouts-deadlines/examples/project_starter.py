from typing import Any

import httpx
from fastapi import FastAPI

UPSTREAMS = {
    "weather": "https://weather.example.com",
    "news": "https://news.example.com",
    "stocks": "https://stocks.example.com",
}

app = FastAPI()


@app.get("/overview")
async def overview(weather: str = "/data", news: str = "/data", stocks: str = "/data") -> Any:
    paths = {"weather": weather, "news": news, "stocks": stocks}
    answer = {}
    async with httpx.AsyncClient() as client:
        for name, path in paths.items():
            response = await client.get(UPSTREAMS[name] + path)
            answer[name] = {"status": response.status_code}
    return answer
