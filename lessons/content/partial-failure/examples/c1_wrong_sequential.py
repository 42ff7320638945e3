import httpx


async def collect(urls: list[str]) -> list[int | str]:
    results: list[int | str] = []
    async with httpx.AsyncClient(timeout=1.0) as client:
        for url in urls:  # one at a time
            try:
                response = await client.get(url)
                response.raise_for_status()
                results.append(response.status_code)
            except httpx.HTTPError as exc:
                results.append(type(exc).__name__)
    return results
