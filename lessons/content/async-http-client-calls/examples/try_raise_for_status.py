import httpx


async def fetch_data(url: str) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
        response.raise_for_status()  # a 4xx or 5xx answer now raises HTTPStatusError
    return response.text
