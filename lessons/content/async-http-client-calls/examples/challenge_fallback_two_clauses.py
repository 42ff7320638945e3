from httpx import AsyncClient, HTTPStatusError
from httpx import RequestError as NoAnswer


async def fetch_or_default(url: str, default: str = "unavailable") -> str:
    try:
        async with AsyncClient(timeout=0.5) as client:
            response = await client.get(url)
            response.raise_for_status()
    except NoAnswer:
        return default
    except HTTPStatusError:
        return default
    return response.text
