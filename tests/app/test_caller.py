"""Who is asking: the address runs are counted by, and the disconnect a waiting request sees."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from loopscope.caller import Caller, CallerMiddleware, address_key, current_caller

pytestmark = pytest.mark.anyio


def test_ipv6_addresses_count_by_their_64_and_mapped_ipv4_as_ipv4() -> None:
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("::ffff:192.0.2.4") == address_key("192.0.2.4") == "192.0.2.4"
    assert address_key("192.0.2.4") != address_key("192.0.2.5")
    assert address_key(None) == address_key("") == "unknown"


class Client:
    """An ASGI client: a POST body in two chunks, then a disconnect once ``leave`` is set."""

    def __init__(self) -> None:
        self.leave = asyncio.Event()
        self.messages: list[dict[str, Any]] = [
            {"type": "http.request", "body": b"a=", "more_body": True},
            {"type": "http.request", "body": b"1", "more_body": False},
        ]

    async def receive(self) -> dict[str, Any]:
        if self.messages:
            return self.messages.pop(0)
        await self.leave.wait()
        return {"type": "http.disconnect"}


def scope() -> dict[str, Any]:
    return {"type": "http", "client": ("2001:db8::7", 5000), "state": {}}


async def test_a_watcher_sees_the_disconnect_and_keeps_the_body_for_the_app() -> None:
    client = Client()
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        caller = current_caller()
        assert caller is not None
        seen["address"] = caller.address
        async with caller.watching() as gone:  # a wait for a run, before the body is read
            await asyncio.sleep(0)
            assert not gone.is_set()
            client.leave.set()
            await asyncio.wait_for(gone.wait(), 5)
        seen["body"] = [await receive(), await receive()]
        seen["after"] = await receive()

    await CallerMiddleware(app)(scope(), client.receive, None)
    assert seen["address"] == "2001:db8::/64"
    assert [m["body"] for m in seen["body"]] == [b"a=", b"1"]  # nothing read is lost
    assert seen["after"]["type"] == "http.disconnect"
    assert current_caller() is None  # reset after the request


async def test_a_task_that_outlives_its_request_does_not_listen() -> None:
    kept: list[Caller] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        caller = current_caller()
        assert caller is not None
        kept.append(caller)

    client = Client()
    await CallerMiddleware(app)(scope(), client.receive, None)
    client.leave.set()  # the connection is gone, as after every request
    async with kept[0].watching() as gone:
        with pytest.raises(TimeoutError):  # a timer or room task is not "a caller who left"
            await asyncio.wait_for(gone.wait(), 0.2)
