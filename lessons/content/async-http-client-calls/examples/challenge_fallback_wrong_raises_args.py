async def fetch_or_default(url: str, default: str = "unavailable") -> str:
    # Wrong on purpose: it shows its own arguments in the error (a hidden run must not leak them).
    raise RuntimeError(f"called with url={url!r}, default={default!r}")
