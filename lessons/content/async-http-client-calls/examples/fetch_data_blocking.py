import time

import httpx


async def fetch_data(url: str) -> str:
    async with httpx.AsyncClient() as client:
        time.sleep(0.3)  # noqa: ASYNC251 -- a blocking pause: the whole loop stops here
        response = await client.get(url)
    return response.text
