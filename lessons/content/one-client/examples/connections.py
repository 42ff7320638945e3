import httpx

URL = "https://api.example.com/data"


def pool_limits(keep_alive: bool) -> httpx.Limits:
    # httpx keeps up to 20 idle connections by default; 0 closes each one after its response.
    return httpx.Limits(max_keepalive_connections=20 if keep_alive else 0)


async def page_views_shared(views: int = 3, keep_alive: bool = True) -> list[int]:
    statuses: list[int] = []
    async with httpx.AsyncClient(timeout=2.0, limits=pool_limits(keep_alive)) as client:
        for _ in range(views):
            response = await client.get(URL)
            statuses.append(response.status_code)
    return statuses


async def one_view(keep_alive: bool) -> int:
    async with httpx.AsyncClient(timeout=2.0, limits=pool_limits(keep_alive)) as client:
        response = await client.get(URL)
    return response.status_code


async def page_views_per_request(views: int = 3, keep_alive: bool = True) -> list[int]:
    return [await one_view(keep_alive) for _ in range(views)]
