import asyncio

import httpx
import pytest

from visualizer.netroute import Route
from visualizer.upstream import create_app


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
