import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

BASE = "https://api.example.com"
SOURCES = {
    "news": f"{BASE}/json",
    "weather": f"{BASE}/status/503",
    "stocks": f"{BASE}/delay/3",
    "sport": "https://sport.internal/scores",
}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(1.0, connect=0.5)) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


async def fetch_part(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    try:
        response = await client.get(SOURCES[name])
        response.raise_for_status()
    except httpx.HTTPStatusError:
        return {"name": name, "status": "error", "error": "upstream_status"}
    except httpx.TimeoutException:
        return {"name": name, "status": "error", "error": "timeout"}
    except httpx.RequestError:
        return {"name": name, "status": "error", "error": "unreachable"}
    return {"name": name, "status": "ok"}


@app.get("/board/{names}")
async def board(names: str, request: Request) -> Any:
    parts = await asyncio.gather(
        *(fetch_part(request.state.client, name) for name in names.split(","))
    )
    if not any(part["status"] == "ok" for part in parts):
        return JSONResponse({"detail": "no upstream answered", "parts": parts}, status_code=502)
    return {"parts": parts}


async def two_boards() -> list[tuple[int, list[str]]]:
    driver = __import__("visualizer.appdriver").appdriver
    answers = await driver.serve_bodies(app, ("/board/news,weather", "/board/weather,sport"))
    return [(status, [part["status"] for part in body["parts"]]) for status, body in answers]
