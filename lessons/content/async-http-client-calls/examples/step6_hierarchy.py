import httpx


async def parents(name: str) -> list[str]:
    """The httpx exception classes that `httpx.<name>` derives from, nearest first."""
    cls = getattr(httpx, name)
    return [base.__name__ for base in cls.__mro__[1:] if base.__module__.startswith("httpx")]
