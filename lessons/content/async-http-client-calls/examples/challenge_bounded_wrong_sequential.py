import httpx


async def fetch_all(n: int = 9, at_most: int = 3) -> list[int]:
    url = "https://api.example.com/delay/0.2"
    statuses = []
    async with httpx.AsyncClient(timeout=2.0) as client:
        for _ in range(n):  # wrong: never more than one, so nothing overlaps
            response = await client.get(url)
            statuses.append(response.status_code)
    return statuses
