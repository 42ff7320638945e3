"""The fresh-cookie flood of issue 14, for real: ``loopscope serve`` (uvicorn, real sockets),
the real engine, every run in bwrap. 20 clients from one address each fetch a fresh cookie and
post ``time.sleep(9)`` to Try; a learner from another address still gets their run, and when
the flood's clients go away their runs are stopped and the workers are free at once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from app_helpers import token_in
from realservers import app_server

from visualizer import sandbox_status

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

LESSON = "async-http-client-calls"
TRY = f"/lessons/{LESSON}/try"
FLOOD = 20
SLEEPER = "import time\n\n\nasync def f():\n    time.sleep(9)  # {tag}\n    return 'slept'\n"
QUICK = "async def f():\n    return {tag!r}\n"


def client(base: str, address: str) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=address)  # 127.0.0.x: all loopback
    return httpx.AsyncClient(transport=transport, base_url=base, timeout=60)


async def fresh_cookie_try(base: str, address: str, code: str) -> httpx.Response:
    async with client(base, address) as learner:
        token = token_in((await learner.get(TRY)).text)
        return await learner.post(TRY, data={"csrf_token": token, "code": code, "call": "f()"})


async def test_a_fresh_cookie_flood_for_real(tmp_path: Path) -> None:
    status = sandbox_status()
    if not status.available:
        pytest.skip(f"bwrap cannot start here, so Try is off: {status.reason}")
    env = {"LOOPSCOPE_TRACE_WORKERS": "2", "LOOPSCOPE_TRACE_WARM": "2"}
    with app_server(tmp_path / "data", env=env) as (base, _server):
        flood = [
            asyncio.create_task(fresh_cookie_try(base, "127.0.0.1", SLEEPER.format(tag=i)))
            for i in range(FLOOD)
        ]
        # A sleeping run takes 9 s at least: what answers before is what was refused.
        done, _ = await asyncio.wait(flood, timeout=7)
        refused = [task.result() for task in done]
        assert [r.status_code for r in refused] == [503] * 4  # 16 is the address's share
        assert all("share of the queue" in r.text for r in refused)

        # Another address: its run starts after at most one of the flood's, not after 16.
        started = time.monotonic()
        victim = await fresh_cookie_try(base, "127.0.0.2", QUICK.format(tag="victim"))
        victim_s = time.monotonic() - started
        assert victim.status_code == 303, victim.text
        assert victim_s < 20  # the service's wait bound: before the fix, a 503 after 20 s

        # The flood's clients go away: their runs are stopped, the workers freed at once.
        for task in flood:
            task.cancel()
        await asyncio.gather(*flood, return_exceptions=True)
        # Without the stop, both workers would still sleep for 6 s or more.
        started = time.monotonic()
        late = await asyncio.gather(
            *(fresh_cookie_try(base, f"127.0.0.{n}", QUICK.format(tag=n)) for n in (3, 4))
        )
        late_s = time.monotonic() - started
        assert [r.status_code for r in late] == [303, 303]
        assert late_s < 5
    log = (tmp_path / "data" / "server.log").read_text()
    assert "Traceback" not in log
    print(f"victim answered in {victim_s:.1f} s, the run after the flood left in {late_s:.1f} s")
