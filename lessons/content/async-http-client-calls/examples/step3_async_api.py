import httpx

URL = "https://api.example.com/stream/3"


async def read_lines(url: str = URL) -> int:
    async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
        lines = [line async for line in response.aiter_lines()]  # the a-prefixed reader
    return len(lines)


async def read_lines_sync_style(url: str = URL) -> int:
    async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
        lines = list(response.iter_lines())  # the sync client's reader, on an async stream
    return len(lines)


async def close_async() -> bool:
    client = httpx.AsyncClient()
    await client.aclose()
    return client.is_closed


async def close_sync_style() -> bool:
    client = httpx.AsyncClient()
    client.close()  # type: ignore[attr-defined]  # the sync client's method
    return client.is_closed
