import httpx


async def fetch_data(url: str) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
        response.raise_for_status()  # any status outside 2xx raises httpx.HTTPStatusError here
    return response.text
