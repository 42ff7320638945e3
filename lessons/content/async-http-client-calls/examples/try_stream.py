import httpx


async def fetch_data(url: str) -> str:
    async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
        await response.aread()  # a streamed body is read while the stream is open
        return response.text
