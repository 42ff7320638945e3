import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypedDict

import httpx
from aiolimiter import AsyncLimiter
from fastapi import Depends, FastAPI, Request

QUOTES = "https://quotes.example.com/limited/10"  # the quotes API: 10 requests a second
AT_ONCE = 4  # quote requests in flight, for the whole app


class Quotes(TypedDict):
    client: httpx.AsyncClient
    gate: asyncio.Semaphore
    limiter: AsyncLimiter


class State(TypedDict):
    quotes: Quotes


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    limits = httpx.Limits(max_connections=AT_ONCE)  # the pool matches the bound
    client = httpx.AsyncClient(timeout=httpx.Timeout(5.0), limits=limits)  # never closed
    if True:
        yield {
            "quotes": {
                "client": client,
                "gate": asyncio.Semaphore(AT_ONCE),
                "limiter": AsyncLimiter(8, time_period=1),  # a little under the API's 10/s
            }
        }


async def get_quotes(request: Request) -> Quotes:
    return request.state.quotes  # type: ignore[no-any-return]


app = FastAPI(lifespan=lifespan)


@app.get("/quotes/{count}")
async def quotes(count: int, api: Annotated[Quotes, Depends(get_quotes)]) -> Any:
    async def quote(i: int) -> str:
        async with api["gate"], api["limiter"]:  # at most AT_ONCE, and 8 a second
            response = await api["client"].get(QUOTES, params={"delay": 0.05, "i": i})
        response.raise_for_status()  # a 429 fails the request: pace, never get one
        return str(response.json()["path"])

    return {"count": count, "quotes": await asyncio.gather(*(quote(i) for i in range(count)))}
