import httpx


async def fetch_status(url: str, retries: int = 0) -> str:
    transport = httpx.AsyncHTTPTransport(retries=retries)  # retries=0 is the default
    async with httpx.AsyncClient(transport=transport, timeout=2.0) as client:
        try:
            response = await client.get(url)
        except httpx.ConnectError as exc:
            return f"gave up: {type(exc).__name__}"
    return f"answered: {response.status_code}"
