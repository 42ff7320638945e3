import httpx


async def fetch_data(url: str) -> str:
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(url)
    except httpx.ConnectError as error:  # the host could not be reached at all
        return f"could not connect: {type(error).__name__}"
    return response.text
