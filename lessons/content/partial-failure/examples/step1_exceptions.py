import httpx

BASE = "https://api.example.com"


async def no_raise() -> int:
    async with httpx.AsyncClient(timeout=0.5) as client:
        response = await client.get(f"{BASE}/status/500")
    return response.status_code  # a 500 is a response, not an exception


async def attempt(client: httpx.AsyncClient, url: str, read_json: bool = False) -> object:
    try:
        response = await client.get(url)
        response.raise_for_status()
        if read_json:
            response.json()
        return "ok"
    except Exception as exc:
        return (
            type(exc).__name__,
            "RequestError" if isinstance(exc, httpx.RequestError) else "-",
            "HTTPStatusError" if isinstance(exc, httpx.HTTPStatusError) else "-",
            "HTTPError" if isinstance(exc, httpx.HTTPError) else "-",
        )


async def classify() -> list[object]:
    async with httpx.AsyncClient(timeout=0.5) as client:
        return [
            await attempt(client, f"{BASE}/status/503"),
            await attempt(client, f"{BASE}/delay/2"),
            await attempt(client, "https://stats.internal/"),
            await attempt(client, "https://api.example.com:port/"),
            await attempt(client, f"{BASE}/bytes/16", read_json=True),
        ]
