import asyncio

import httpx


async def load_dashboard() -> dict[str, int]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        profile, orders, news = await asyncio.gather(
            client.get("https://users.example.com/delay/0.3"),
            client.get("https://orders.example.com/delay/0.3"),
            client.get("https://news.example.com/delay/0.3"),
        )
    return {"profile": profile.status_code, "orders": orders.status_code, "news": news.status_code}
