import asyncio

import httpx
import pytest

from visualizer.contract.events import NOT_SET
from visualizer.worker.display import display, exception_text, full_repr


def test_httpx_objects_read_as_their_state() -> None:
    client = httpx.Client()
    assert display(client) == "Client (open)"
    client.close()
    assert display(client) == "Client (closed)"
    response = httpx.Response(200, request=httpx.Request("GET", "https://api.example.com/"))
    assert display(response) == "Response [200 OK]"


@pytest.mark.anyio
async def test_async_client_and_coroutines() -> None:
    async with httpx.AsyncClient() as client:
        assert display(client) == "AsyncClient (open)"
        coroutine = client.get("https://api.example.com/")
        assert display(coroutine) == "<coroutine AsyncClient.get>"
        coroutine.close()
    assert display(client) == "AsyncClient (closed)"


def test_exceptions_show_type_and_message() -> None:
    assert exception_text(httpx.ReadTimeout("timed out")) == "ReadTimeout('timed out')"
    assert display(ValueError("bad")) == "ValueError('bad')"


def test_long_values_are_cut_and_summarised() -> None:
    assert display("x" * 100).endswith("…")
    assert len(display("x" * 100)) == 60
    assert display(list(range(10))) == "[0, 1, 2, 3, …] (10 items)"
    assert display({str(n): n for n in range(6)}).endswith("(6 keys)")
    assert NOT_SET == "(not set)"


def test_no_memory_address_ever_shows() -> None:
    class Opaque:
        pass

    loop = asyncio.new_event_loop()
    try:
        future = loop.create_future()
        for value in (Opaque(), object(), future, display, Opaque, asyncio):
            assert "0x" not in display(value), display(value)
    finally:
        loop.close()
    assert "7f24e435bb00" not in display("cancel scope 7f24e435bb00 by <Task>")


def test_a_result_keeps_its_whole_repr_up_to_a_byte_budget() -> None:
    statuses = [200] * 50
    assert full_repr(statuses) == repr(statuses)  # far past the 60 characters a cell shows
    assert full_repr("é" * 10, budget=8) == "'ééé… (15 more bytes)"
    assert "0x" not in full_repr(object())
