import asyncio
import time


async def boil_kettle(log: list[str]) -> None:
    log.append("kettle on")
    time.sleep(0.3)  # noqa: ASYNC251 (the counter-example: this pause holds the whole loop)
    log.append("kettle boiled")


async def slice_bread(log: list[str]) -> None:
    for n in (1, 2, 3):
        log.append(f"slice {n}")
        await asyncio.sleep(0.05)


async def breakfast() -> str:
    log: list[str] = []
    await asyncio.gather(boil_kettle(log), slice_bread(log))
    return ", ".join(log)
