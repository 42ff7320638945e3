from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, HTTPException, Request

UPSTREAMS = {
    "ok": "https://prices.example.com/data",
    "slow": "https://prices.example.com/delay/3",
    "down": "https://prices.unreachable.test/data",  # not under example.com: no answer
}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(1.0, connect=0.5)) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


async def get_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.state.client
    return client


Client = Annotated[httpx.AsyncClient, Depends(get_client)]


@app.get("/price/{name}")
async def price(name: str, client: Client) -> Any:
    try:
        response = await client.get(UPSTREAMS[name])
    except httpx.TimeoutException as exc:
        raise HTTPException(504, "the price upstream did not answer in time") from exc
    except Exception as exc:  # everything else "must be" the upstream's fault
        raise HTTPException(502, "the price upstream cannot be reached") from exc
    return {"price": response.json()["id"]}
