import asyncio
from typing import Any

import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/dashboard")
async def dashboard() -> Any:
    # Before: every page view builds a client (TLS context, pool) and opens a connection.
    async with httpx.AsyncClient(timeout=2.0) as client:
        response = await client.get("https://stats.example.com/delay/0.05")
    return {"stats": response.status_code}


async def under_load(views: int = 24, at_once: int = 4) -> str:
    """`views` page views, `at_once` of them in flight together, through the app in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        statuses: list[int] = []
        for _ in range(views // at_once):
            pages = await asyncio.gather(*(browser.get("/dashboard") for _ in range(at_once)))
            statuses += [page.status_code for page in pages]
    return f"{statuses.count(200)} of {views} pages answered 200"
