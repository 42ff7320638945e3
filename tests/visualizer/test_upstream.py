import asyncio

import httpx
import pytest

from visualizer.worker.netroute import Route
from visualizer.worker.upstream import create_app


@pytest.fixture
def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app()), base_url="https://api.example.com"
    )


@pytest.mark.anyio
async def test_httpbin_vocabulary(client: httpx.AsyncClient) -> None:
    async with client:
        assert (await client.get("/data")).json()["id"] == 1
        assert (await client.get("/get", params={"q": "1"})).json()["args"] == {"q": "1"}
        assert "slideshow" in (await client.get("/json")).json()
        assert (await client.get("/delay/0.01")).status_code == 200
        assert (await client.get("/status/418")).status_code == 418
        assert len((await client.get("/bytes/10")).content) == 10
        lines = (await client.get("/stream/3")).text.splitlines()
        assert len(lines) == 3
        assert (await client.get("/drip/3", params={"every": "0"})).content == b"***"
        moved = await client.get("/status/302")
        assert (moved.status_code, moved.headers["location"]) == (302, "/get")
        assert (await client.get("/nope")).status_code == 404


def test_only_the_demo_domain_is_routed() -> None:
    route = Route(http_port=1000, https_port=2000, ca_pem="ca.pem")
    assert route.port_for("api.example.com", 443) == 2000
    assert route.port_for("EXAMPLE.com", 80) == 1000
    assert route.port_for("slow.example.com", 8080) == 1000
    for host in ("example.org", "notexample.com", "127.0.0.1", "localhost"):
        with pytest.raises(Exception, match="Name or service not known"):
            route.port_for(host, 443)


@pytest.mark.anyio
async def test_drip_can_wait_before_its_headers(client: httpx.AsyncClient) -> None:
    """``/drip?delay=s`` holds the headers back (a read timeout fires before any byte), then
    drips as usual; a delay that is not a number is a clear 400."""
    async with client:
        with pytest.raises(TimeoutError):  # ASGITransport has no socket timeouts: a deadline
            async with asyncio.timeout(0.3):
                await client.get("/drip/2", params={"every": "0", "delay": "5"})
        quick = await client.get("/drip/2", params={"every": "0", "delay": "0.01"})
        assert quick.content == b"**"
        assert (await client.get("/drip/2", params={"delay": "soon"})).status_code == 400


@pytest.mark.anyio
async def test_limited_answers_429_with_retry_after_past_its_rate(
    client: httpx.AsyncClient,
) -> None:
    async with client:
        statuses = [(await client.get("/limited/3")).status_code for _ in range(4)]
        refused = await client.get("/limited/3")
        other_rate = await client.get("/limited/5")  # its own bucket
        bad = await client.get("/limited/0")
    assert statuses == [200, 200, 200, 429]
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "1")
    assert refused.json() == {"error": "rate limited", "retry_after": 1}
    assert other_rate.status_code == 200
    assert bad.status_code == 400


@pytest.mark.anyio
async def test_limited_refills_at_its_rate(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [100.0]
    monkeypatch.setattr("visualizer.worker.upstream.time.monotonic", lambda: now[0])
    async with client:
        assert [(await client.get("/limited/2")).status_code for _ in range(3)] == [200, 200, 429]
        now[0] += 0.5  # one token back at 2 a second
        assert [(await client.get("/limited/2")).status_code for _ in range(2)] == [200, 429]


@pytest.mark.anyio
async def test_concurrency_counts_requests_served_at_once(client: httpx.AsyncClient) -> None:
    async with client:
        first = (await client.get("/concurrency")).json()
        await asyncio.gather(*(client.get("/delay/0.05") for _ in range(3)))
        await client.get("/data")
        seen = (await client.get("/concurrency", params={"reset": "1"})).json()
        after_reset = (await client.get("/concurrency")).json()
    assert first == {"in_flight": 0, "peak": 0, "served": 0}
    assert seen == {"in_flight": 0, "peak": 3, "served": 4}
    assert after_reset == {"in_flight": 0, "peak": 0, "served": 0}


@pytest.mark.anyio
async def test_limited_bans_a_client_that_keeps_knocking(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [100.0]
    monkeypatch.setattr("visualizer.worker.upstream.time.monotonic", lambda: now[0])
    async with client:
        assert [(await client.get("/limited/2")).status_code for _ in range(2)] == [200, 200]
        refused = [await client.get("/limited/2") for _ in range(4)]  # 2 x rate: still fine
        assert {r.headers["retry-after"] for r in refused} == {"1"}
        assert {r.status_code for r in refused} == {429}
        banned = await client.get("/limited/2")  # the fifth refusal within a second
        assert (banned.status_code, banned.headers["retry-after"]) == (403, "5")
        now[0] += 4.0  # knocking during the ban starts it again
        again = await client.get("/limited/2")
        assert (again.status_code, again.headers["retry-after"]) == (403, "5")
        now[0] += 5.0
        assert (await client.get("/limited/2")).status_code == 200
