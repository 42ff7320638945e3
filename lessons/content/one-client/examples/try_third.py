import httpx

URL = "https://api.example.com/data"
KEEP_ALIVE = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's default
NO_KEEP_ALIVE = httpx.Limits(max_connections=100, max_keepalive_connections=0)  # close each


async def page_views_shared(keep_alive: bool = True) -> list[int]:
    limits = KEEP_ALIVE if keep_alive else NO_KEEP_ALIVE
    async with httpx.AsyncClient(timeout=2.0, limits=limits) as client:
        first = await client.get(URL)
        second = await client.get(URL)
        third = await client.get(URL)
    return [first.status_code, second.status_code, third.status_code]


async def one_view(keep_alive: bool) -> int:
    limits = KEEP_ALIVE if keep_alive else NO_KEEP_ALIVE
    async with httpx.AsyncClient(timeout=2.0, limits=limits) as client:
        response = await client.get(URL)
    return response.status_code


async def page_views_per_request(keep_alive: bool = True) -> list[int]:
    return [await one_view(keep_alive), await one_view(keep_alive), await one_view(keep_alive)]
