import httpx


async def raises_for(code: int) -> str:
    """Does raise_for_status() raise on a response with this status? No server needed."""
    request = httpx.Request("GET", "https://api.example.com/")
    response = httpx.Response(code, request=request)
    try:
        response.raise_for_status()
    except httpx.HTTPStatusError:
        return f"{code}: raises HTTPStatusError"
    return f"{code}: passes"


async def statuses(codes: tuple[int, ...] = (103, 204, 302, 404, 503)) -> list[str]:
    return [await raises_for(code) for code in codes]


async def get_redirect(follow_redirects: bool = False) -> str:
    """Ask for a URL that answers 302 (Location: /get)."""
    async with httpx.AsyncClient(follow_redirects=follow_redirects) as client:
        response = await client.get("https://api.example.com/status/302")
    return f"{response.status_code} after {len(response.history)} redirects followed"
