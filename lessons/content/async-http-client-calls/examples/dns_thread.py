import asyncio
import socket
import threading


def resolved_in() -> list[str]:
    """Record the thread of every name lookup from now on: where the resolving really happens."""
    threads: list[str] = []
    lookup = socket.getaddrinfo

    def recording(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread().name.rsplit("_", 1)[0])
        return lookup(*args, **kwargs)  # type: ignore[arg-type]

    socket.getaddrinfo = recording  # type: ignore[assignment]
    return threads


async def resolve(host: str = "127.0.0.1") -> list[str]:
    """Resolve a name the way httpx's network layer does for any host that is not an IP."""
    threads = resolved_in()
    loop = asyncio.get_running_loop()
    await loop.getaddrinfo(host, 443)  # handed to the loop's default executor, a thread
    return threads


async def no_lookup() -> list[str]:
    # Counter-example: the default executor runs something, but no name is looked up.
    threads = resolved_in()
    await asyncio.get_running_loop().run_in_executor(None, int)
    return threads


async def lookup_on_loop(host: str = "127.0.0.1") -> list[str]:
    # Counter-example: the lookup called directly, on the loop's own thread.
    threads = resolved_in()
    socket.getaddrinfo(host, 443)
    return threads
