import httpx


async def fetch_text(url: str) -> str:
    try:
        async with httpx.AsyncClient(timeout=1.0) as client:
            response = await client.get(url)
            response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        return f"upstream answered {exc.response.status_code}"
    except httpx.RequestError as exc:
        return f"no answer: {type(exc).__name__}"
    return response.text
