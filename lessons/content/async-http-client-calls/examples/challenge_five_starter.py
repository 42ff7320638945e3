import httpx

URLS = tuple(f"https://api.example.com/delay/0.{n}" for n in range(1, 6))


async def fetch_five(urls: tuple[str, ...] = URLS) -> list[int]:
    statuses = []
    for url in urls:
        async with httpx.AsyncClient() as client:
            response = await client.get(url)
        statuses.append(response.status_code)
    return statuses
