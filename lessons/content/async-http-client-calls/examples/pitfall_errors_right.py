from typing import Any

import httpx


async def get_price(url: str) -> Any:
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            response = await client.get(url)
            response.raise_for_status()
    except httpx.HTTPError as exc:  # HTTPStatusError and RequestError alike
        return {"price": None, "error": type(exc).__name__}
    return response.json()
