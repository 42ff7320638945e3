import httpx


async def fetch_data(url: str) -> str:
    async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
        pass  # a streamed body is not read until you ask for it
    return response.text  # too late: raises httpx.ResponseNotRead
