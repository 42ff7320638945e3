import httpx


async def show_default_timeout() -> str:
    async with httpx.AsyncClient() as client:
        return repr(client.timeout)


async def show_limits(limits: httpx.Limits | None = None) -> str:
    client = httpx.AsyncClient() if limits is None else httpx.AsyncClient(limits=limits)
    async with client:
        pool = client._transport._pool  # type: ignore[attr-defined]  # no public view of it
        most, idle = pool._max_connections, pool._max_keepalive_connections
        return f"max {most}, keep {idle}, idle {pool._keepalive_expiry} s"
