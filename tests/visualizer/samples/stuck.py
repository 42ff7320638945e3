import time


async def stuck() -> None:
    time.sleep(3600)  # noqa: ASYNC251 (the point of the sample)
