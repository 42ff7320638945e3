import asyncio
import threading


def pool_threads() -> list[str]:
    return sorted(t.name for t in threading.enumerate() if t.name.startswith("asyncio_"))


async def resolve(host: str = "127.0.0.1") -> list[str]:
    """Resolve a name the way httpx's network layer does for any host that is not an IP."""
    loop = asyncio.get_running_loop()
    await loop.getaddrinfo(host, 443)  # handed to the loop's default executor, a thread
    return pool_threads()


async def sleep_only() -> list[str]:
    await asyncio.sleep(0.01)
    return pool_threads()
