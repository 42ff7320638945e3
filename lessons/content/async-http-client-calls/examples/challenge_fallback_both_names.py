import httpx


async def fetch_or_default(url: str, default: str = "unavailable") -> str:
    try:
        async with httpx.AsyncClient(timeout=0.5) as client:
            response = await client.get(url)
            response.raise_for_status()
    except (httpx.RequestError, httpx.HTTPStatusError):  # the two families HTTPError holds
        return default
    return response.text
