import httpx


async def fetch_data(url: str, max_wait: float = 5.0) -> str:
    async with httpx.AsyncClient(timeout=max_wait) as client:  # 5.0 s is httpx's default
        response = await client.get(url)
    return response.text
