import asyncio

import httpx

BASE = "https://api.example.com"
SOURCES = {
    "news": f"{BASE}/delay/0.2",
    "weather": f"{BASE}/status/503",
    "stocks": f"{BASE}/delay/3",
    "sport": "https://sport.internal/scores",
    "traffic": f"{BASE}/json",
}


async def fetch_part(client: httpx.AsyncClient, name: str, url: str) -> tuple[str, str, int | str]:
    try:
        response = await client.get(url)
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        return (name, "error", f"upstream answered {exc.response.status_code}")
    except httpx.TimeoutException:
        return (name, "error", "timed out")
    except httpx.RequestError:
        return (name, "error", "unreachable")
    return (name, "ok", response.status_code)


async def dashboard() -> list[tuple[str, str, int | str]]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(1.0, connect=0.5)) as client:
        return await asyncio.gather(
            *(fetch_part(client, name, url) for name, url in SOURCES.items())
        )
