import httpx


async def fetch_in_order(urls: list[str], limit: int) -> list[str]:
    """Each URL's `id`, in the order of `urls`, with at most `limit` requests in flight."""
    async with httpx.AsyncClient(timeout=5.0) as client:
        ids = []
        for url in urls:  # one at a time: correct, and slow
            response = await client.get(url)
            ids.append(response.json()["args"]["id"])
    return ids
