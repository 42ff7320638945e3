"""Drive a learner's ASGI app inside a traced run: its lifespan, then real requests to it.

A project check traces an expression such as

    __import__("visualizer.appdriver").appdriver.serve(app, ("/dashboard", "/dashboard"))

which enters the app's lifespan (startup), sends each request in turn through
``httpx.ASGITransport``, leaves the lifespan (shutdown) and returns ``[(status, sorted keys of
the JSON body or None), ...]``. The requests the app makes to its upstreams while serving are
traced like any other; the driver's own in-process requests go on no wire (no HTTP phases),
so checks that measure upstream calls never count them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

# How a check's call reaches this module; the learner never wrote it, so traces name the call
# without it (``shown_call``): ``with_client(fetch_part, URL)``, not ``__import__(...)...``.
DRIVER_PREFIX = '__import__("visualizer.appdriver").appdriver.'


def shown_call(call: str) -> str:
    """``call`` as a learner reads it: without the driver's import prefix."""
    return call.strip().removeprefix(DRIVER_PREFIX)


async def serve(app: Any, paths: tuple[str, ...] = ()) -> list[tuple[int, list[str] | None]]:
    """Start ``app`` with its lifespan, GET each of ``paths``, shut it down.

    Like a server, it hands the state the lifespan yields (if any) to every request, where the
    app reads it as ``request.state``.
    """
    answers: list[tuple[int, list[str] | None]] = []
    async with app.router.lifespan_context(app) as state:
        transport = httpx.ASGITransport(app=_with_state(app, state or {}))
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            for path in paths:
                response = await client.get(path)
                answers.append((response.status_code, _keys(response)))
    return answers


async def with_client(helper: Callable[[httpx.AsyncClient, str], Awaitable[Any]], url: str) -> Any:
    """Call ``helper(client, url)`` with a client set up like the project asks (1 s, 0.5 s)."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(1.0, connect=0.5)) as client:
        return await helper(client, url)


async def serve_bodies(app: Any, paths: tuple[str, ...] = ()) -> list[tuple[int, Any]]:
    """Like ``serve``, but each answer is ``(status, the JSON body or None)``: for apps whose
    answer is judged by its content (a status per part of a partial result)."""
    answers: list[tuple[int, Any]] = []
    async with app.router.lifespan_context(app) as state:
        transport = httpx.ASGITransport(app=_with_state(app, state or {}))
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            for path in paths:
                response = await client.get(path)
                answers.append((response.status_code, _body(response)))
    return answers


async def settle(awaitable: Awaitable[Any]) -> tuple[Any, int]:
    """Await ``awaitable`` and return ``(its result, or the type name of what it raised, the
    number of tasks it started that were still not done when it returned)``: a leaked task is
    one left running (or cancelled but never awaited) after the call that started it ended."""
    current = asyncio.current_task()
    before = asyncio.all_tasks()
    outcome: Any
    try:
        outcome = await awaitable
    except Exception as exc:  # the outcome is the exception's type, whatever it is
        outcome = type(exc).__name__
    left = [t for t in asyncio.all_tasks() - before if t is not current and not t.done()]
    return outcome, len(left)


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _with_state(app: Any, state: dict[str, Any]) -> Any:
    async def with_state(scope: Any, receive: Any, send: Any) -> None:
        await app({**scope, "state": dict(state)}, receive, send)

    return with_state


def _keys(response: httpx.Response) -> list[str] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return sorted(body) if isinstance(body, dict) else None
