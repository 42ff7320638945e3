import httpx


async def slow() -> str:
    async with httpx.AsyncClient(timeout=0.2) as client:
        response = await client.get("https://slow.example.com/delay/2")
    return response.text


async def handled() -> str:
    try:
        return await slow()
    except httpx.ReadTimeout as error:
        return f"gave up: {type(error).__name__}"
