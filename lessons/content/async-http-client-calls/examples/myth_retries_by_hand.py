import httpx


async def fetch_status(url: str, retries: int = 0) -> str:
    # Counter-example: a hand-written loop that does resend a request answered 5xx.
    async with httpx.AsyncClient(timeout=2.0) as client:
        for _ in range(retries + 1):
            response = await client.get(url)
            if response.status_code < 500:
                break
    return f"answered: {response.status_code}"
