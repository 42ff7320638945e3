"""Programs with many tasks: pools, semaphores, deadlines, cancellation, threads (issue 16).

Each function is one kind of program a learner of this topic writes; the tests trace them and
assert what the trace means (never how long things took).
"""

import asyncio

import httpx

DELAY = "https://api.example.com/delay/0.2"


async def semaphore_gather() -> list[int]:
    sem = asyncio.Semaphore(2)
    async with httpx.AsyncClient() as client:

        async def one(url: str) -> int:
            async with sem:
                response = await client.get(url)
            return response.status_code

        statuses = await asyncio.gather(*(one(DELAY) for _ in range(3)))
    return statuses  # noqa: RET504 (the tracker shows the variable)


async def fetch(client: httpx.AsyncClient, url: str) -> int:
    response = await client.get(url)
    response.raise_for_status()
    return response.status_code


async def taskgroup_failure() -> str:
    failed = 0
    async with httpx.AsyncClient() as client:
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(fetch(client, "https://api.example.com/delay/0.1"))
                tg.create_task(fetch(client, "https://api.example.com/status/500"))
        except* httpx.HTTPStatusError as group:
            failed = len(group.exceptions)
    return f"{failed} failed"


async def shielded() -> int:
    async with httpx.AsyncClient() as client:
        inner = asyncio.ensure_future(client.get(DELAY))
        try:
            response = await asyncio.wait_for(asyncio.shield(inner), timeout=0.05)
        except TimeoutError:
            response = await inner
    return response.status_code


async def deadline_gather() -> str:
    async with httpx.AsyncClient() as client:
        try:
            async with asyncio.timeout(0.1):
                await asyncio.gather(client.get(DELAY), client.get(DELAY))
        except TimeoutError:
            return "deadline passed"
    return "in time"


async def stream_lines() -> list[str]:
    ids = []
    async with httpx.AsyncClient() as client:  # noqa: SIM117 (one row per block)
        async with client.stream("GET", "https://api.example.com/stream/3") as response:
            async for line in response.aiter_lines():
                if line:
                    ids.append(line[:8])
    return ids


async def redirect() -> int:
    async with httpx.AsyncClient(follow_redirects=True) as client:
        response = await client.get("https://api.example.com/status/302")
    return response.status_code


async def transport_retries() -> str:
    transport = httpx.AsyncHTTPTransport(retries=2)
    async with httpx.AsyncClient(transport=transport) as client:
        try:
            await client.get("https://unreachable.invalid/data")
        except httpx.ConnectError as exc:
            return type(exc).__name__
    return "connected"


async def two_clients() -> tuple[int, int]:
    narrow = httpx.AsyncClient(limits=httpx.Limits(max_connections=1))
    wide = httpx.AsyncClient(limits=httpx.Limits(max_connections=5))
    async with narrow, wide:
        a = await asyncio.gather(narrow.get(DELAY), narrow.get(DELAY))
        b = await asyncio.gather(wide.get(DELAY), wide.get(DELAY))
    return len(a), len(b)


def sync_fetch(url: str) -> int:
    with httpx.Client() as client:
        response = client.get(url)
    return response.status_code


async def thread_fetch() -> int:
    status = await asyncio.to_thread(sync_fetch, "https://api.example.com/data")
    return status  # noqa: RET504 (the tracker shows the variable)


async def queue_workers() -> list[int]:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for _ in range(3):
        queue.put_nowait(DELAY)
    statuses: list[int] = []
    async with httpx.AsyncClient() as client:

        async def worker() -> None:
            while not queue.empty():
                url = await queue.get()
                response = await client.get(url)
                statuses.append(response.status_code)
                queue.task_done()

        workers = [asyncio.create_task(worker()) for _ in range(2)]
        await queue.join()
        await asyncio.gather(*workers)
    return statuses


async def return_exceptions() -> list[str]:
    async with httpx.AsyncClient() as client:
        results = await asyncio.gather(
            client.get("https://api.example.com/data"),
            client.get("https://nowhere.invalid/data"),
            return_exceptions=True,
        )
    return [type(result).__name__ for result in results]


async def cancel_in_flight() -> str:
    async with httpx.AsyncClient() as client:
        task = asyncio.create_task(client.get("https://api.example.com/delay/2"))
        await asyncio.sleep(0.2)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
    return "finished"


async def cpu_hog() -> int:
    total = sum(number * number for number in range(4_000_000))
    await asyncio.sleep(0)
    return total


async def with_wait_for() -> str:
    async with httpx.AsyncClient() as client:
        try:
            await asyncio.wait_for(client.get("https://api.example.com/delay/1"), timeout=0.1)
        except TimeoutError:
            return "timed out"
    return "answered"


async def completed_first() -> list[int]:
    order = []
    async with httpx.AsyncClient() as client:
        pending = [client.get(f"https://api.example.com/delay/0.{n}") for n in (3, 1)]
        for next_done in asyncio.as_completed(pending):
            response = await next_done
            order.append(response.status_code)
    return order


def build_client() -> int:
    with httpx.Client() as client:
        return len(client.headers)


def spin() -> int:
    return sum(number * number for number in range(4_000_000))


async def stall_beside_thread() -> int:
    worker = asyncio.create_task(asyncio.to_thread(build_client))
    await asyncio.sleep(0)
    spin()
    return await worker


async def pool_timeout() -> list[str]:
    limits = httpx.Limits(max_connections=2)
    timeout = httpx.Timeout(5.0, pool=0.1)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        results = await asyncio.gather(
            *(client.get(DELAY) for _ in range(4)), return_exceptions=True
        )
    return [type(result).__name__ for result in results]


async def pool_limited() -> list[int]:
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=2)) as client:
        responses = await asyncio.gather(*(client.get(DELAY) for _ in range(4)))
    return [response.status_code for response in responses]
