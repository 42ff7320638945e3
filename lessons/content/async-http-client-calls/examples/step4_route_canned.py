from typing import Any

import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/weather")
async def weather() -> dict[str, Any]:
    # Counter-example: the same answer, made up without asking the upstream at all.
    return {"upstream": 200, "data": {"slideshow": "made up"}}


async def demo() -> Any:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/weather")
    return response.json()
