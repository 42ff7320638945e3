import httpx


async def fetch_data(url: str) -> str:
    async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
        pass
    await response.aread()  # too late: the stream closed with the block
    return response.text
