import httpx as hx


async def fetch_or_default(url: str, default: str = "unavailable") -> str:
    try:
        async with hx.AsyncClient(timeout=0.5) as client:
            response = await client.get(url)
            response.raise_for_status()
    except hx.HTTPError:
        return default
    return response.text
