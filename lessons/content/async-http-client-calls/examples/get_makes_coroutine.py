import httpx


async def call_get(awaited: bool = False) -> str:
    async with httpx.AsyncClient() as client:
        pending = client.get("https://api.example.com/data")  # runs nothing of get yet
        if awaited:
            response = await pending
            return type(response).__name__
        kind = type(pending).__name__
        pending.close()  # never awaited: no request was built or sent
    return kind
