import asyncio

import httpx

REPORT = "https://partner.example.com/delay/0.05"  # someone else's server
UPSTREAM_SEEN = "https://partner.example.com/concurrency"
AT_ONCE = 10  # what we agreed with the partner


async def nightly_batch(accounts: int = 60) -> dict[str, int]:
    """After: at most AT_ONCE reports in flight, over a pool of the same size."""
    limits = httpx.Limits(max_connections=AT_ONCE)
    gate = asyncio.Semaphore(AT_ONCE)
    async with httpx.AsyncClient(timeout=10.0, limits=limits) as client:

        async def report(account: int) -> int:
            async with gate:
                response = await client.get(REPORT, params={"account": account})
            return response.status_code

        statuses = await asyncio.gather(*(report(a) for a in range(accounts)))
        seen = (await client.get(UPSTREAM_SEEN)).json()
    answered = statuses.count(200)
    return {"answered": answered, "more than 10 at once at the partner": seen["peak"] > 10}
