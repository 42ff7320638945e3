import asyncio


def not_async() -> int:
    return 3


async def forever() -> None:
    await asyncio.sleep(3600)


async def spin() -> None:
    while True:
        pass


async def chatter() -> None:
    while True:
        print("x" * 10_000)


async def boom() -> None:
    values = {"a": 1}
    print(values["b"])
