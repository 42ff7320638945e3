import httpx

URL = "https://api.example.com/delay/0.05"  # 50 ms of work at the upstream
UPSTREAM_SEEN = "https://api.example.com/concurrency"  # what the upstream counted


async def one_by_one(n: int = 20) -> dict[str, int]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        statuses = []
        for i in range(n):
            response = await client.get(URL, params={"i": i})  # waits for each answer
            statuses.append(response.status_code)
        seen = (await client.get(UPSTREAM_SEEN)).json()
    return {"answered": statuses.count(200), "most at once at the upstream": seen["peak"]}
