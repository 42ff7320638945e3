import httpx


async def shared(n: int) -> list[int]:
    async with httpx.AsyncClient() as client:
        statuses = []
        for _ in range(n):
            response = await client.get("http://api.example.com/get")
            statuses.append(response.status_code)
    return statuses


async def one_client_per_call(n: int) -> list[int]:
    statuses = []
    for _ in range(n):
        async with httpx.AsyncClient() as client:
            response = await client.get("http://api.example.com/get")
            statuses.append(response.status_code)
    return statuses


async def get(url: str) -> int:
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    return response.status_code
