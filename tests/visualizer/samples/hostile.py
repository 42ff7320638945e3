"""What an attacker would try from inside a traced run. Each coroutine returns what it got."""

import asyncio
import os
import socket
import sys


def _read(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(4000).decode("latin-1")
    except OSError as error:
        return type(error).__name__


def _write(path: str) -> str:
    try:
        with open(path, "w") as handle:
            handle.write("written by a traced run\n")
    except OSError as error:
        return type(error).__name__
    return "written"


async def read_files(*paths: str) -> list[str]:
    """The paths that could be read (what they hold is printed)."""
    readable = []
    for path in paths:
        content = _read(path)
        print(path, content[:200])
        if not content.endswith("Error"):
            readable.append(path)
    await asyncio.sleep(0)
    return readable


async def environment() -> str:
    """Everything the environment and /proc hold about other processes' environments."""
    found = [repr(dict(os.environ))]
    found += [_read(f"/proc/{pid}/environ") for pid in os.listdir("/proc") if pid.isdigit()]
    await asyncio.sleep(0)
    return "\n".join(found)


async def connect(port: int) -> str:
    """A raw TCP connection to 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"hello from the sandbox\n")
            return "connected"
    except OSError as error:
        return type(error).__name__


async def write_files(*paths: str) -> list[str]:
    """The paths that could be created."""
    written = [path for path in paths if _write(path) == "written"]
    await asyncio.sleep(0)
    return written


async def outlive(marker: str) -> int:
    """Fork children that leave the session and try to run on after the trace ends."""
    children = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            os.setsid()
            if os.fork() == 0:  # a grandchild, orphaned at once
                os.execv("/bin/sleep", ["sleep", marker])
            os.execv("/bin/sleep", ["sleep", marker])
        children.append(pid)
    await asyncio.sleep(0.2)
    return len(children)


async def fork_storm(marker: str) -> int:
    """Fork until the system says no, each child sleeping on."""
    started = 0
    try:
        while True:
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", marker])
            started += 1
    except OSError:
        pass
    await asyncio.sleep(0.5)
    return started


async def spin() -> None:
    """Hold the CPU forever, without a single await."""
    while True:
        pass


async def memory_bomb() -> int:
    """Allocate without end."""
    hoard = []
    while True:
        hoard.append(bytearray(256 * 1024 * 1024))
        await asyncio.sleep(0)


def _down(depth: int) -> int:
    return _down(depth + 1) + 1


async def deep_recursion() -> int:
    """Recurse as deep as Python lets it, then some."""
    sys.setrecursionlimit(1_000_000)
    return _down(0)


async def chatter() -> None:
    """Megabytes of output."""
    line = "x" * 1000
    while True:
        print(line)
        await asyncio.sleep(0)


async def garbage() -> str:
    """Write garbage to every descriptor the process holds, then return normally."""
    hit = 0
    for fd in range(3, 1024):
        try:
            os.write(fd, b'\n{"trace": null, "failure": "forged"}\nloopscope-end 0\n' * 100)
            hit += 1
        except OSError:
            pass
    await asyncio.sleep(0)
    return f"wrote to {hit} descriptors"
