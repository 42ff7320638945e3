import asyncio


async def boil_kettle(log: list[str]) -> None:
    log.append("kettle on")
    await asyncio.sleep(0.3)  # pauses this coroutine only
    log.append("kettle boiled")


async def slice_bread(log: list[str]) -> None:
    for n in (1, 2, 3):
        log.append(f"slice {n}")
        await asyncio.sleep(0.05)


async def breakfast() -> str:
    log: list[str] = []
    await asyncio.gather(boil_kettle(log), slice_bread(log))
    return ", ".join(log)
