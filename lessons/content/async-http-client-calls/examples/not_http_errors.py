from typing import Any

import httpx


async def fetch_json(url: str) -> Any:
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(url)
            response.raise_for_status()
            return response.json()  # a body that is not JSON raises ValueError here
    except httpx.HTTPError as exc:
        return f"handled: {type(exc).__name__}"


async def is_http_error(name: str) -> bool:
    return issubclass(getattr(httpx, name), httpx.HTTPError)
