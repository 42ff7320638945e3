from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI

app = FastAPI()


async def get_client() -> AsyncIterator[httpx.AsyncClient]:
    # Looks tidy, but it is step 1 again: a new client (and connection) per request.
    async with httpx.AsyncClient(timeout=2.0) as client:
        yield client


Client = Annotated[httpx.AsyncClient, Depends(get_client)]


@app.get("/price")
async def price(client: Client) -> Any:
    response = await client.get("https://prices.example.com/data")
    return response.json()


async def three_requests() -> list[int]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        return [(await browser.get("/price")).status_code for _ in range(3)]
