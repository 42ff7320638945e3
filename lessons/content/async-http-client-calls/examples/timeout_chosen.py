import httpx


async def show_timeout() -> str:
    timeout = httpx.Timeout(1.0, connect=0.5)  # 1 s for each phase, 0.5 s to connect
    async with httpx.AsyncClient(timeout=timeout) as client:
        return repr(client.timeout)
