import httpx


async def fetch_data(url: str) -> str:
    async with httpx.AsyncClient() as client:
        response = client.get(url)  # the await is missing
    # mypy flags the next line too: "Coroutine" has no attribute "text"; forgot "await"?
    return response.text  # type: ignore[attr-defined, no-any-return]
