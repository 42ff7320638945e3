import httpx


async def show_default_timeout() -> str:
    async with httpx.AsyncClient() as client:
        return repr(client.timeout)
