import asyncio

import httpx

REPORT = "https://partner.example.com/delay/0.05"  # someone else's server
UPSTREAM_SEEN = "https://partner.example.com/concurrency"


async def nightly_batch(accounts: int = 60) -> dict[str, int]:
    """Before: every account's report asked for at once."""
    async with httpx.AsyncClient(timeout=10.0) as client:
        responses = await asyncio.gather(
            *(client.get(REPORT, params={"account": a}) for a in range(accounts))
        )
        seen = (await client.get(UPSTREAM_SEEN)).json()
    answered = sum(r.status_code == 200 for r in responses)
    return {"answered": answered, "more than 10 at once at the partner": seen["peak"] > 10}
