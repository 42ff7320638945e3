"""What a suspended task waits for, named from the small vocabulary of ``WaitingOn``.

The probes call ``waiting_on`` at a task's first suspension at an await, with what was awaited
(and, for ``async with``, the manager) and what the await yielded to the loop:

    >>> waiting_on(asyncio.sleep(1), None, None)
    'sleep'

A wait on the network may turn out to be a wait for a pooled connection: the fold refines
``network`` into ``pool`` from the request's ``connection_pool.wait_for_connection`` phase.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from visualizer.contract.events import WaitingOn

# asyncio's synchronisation primitives, by class name (``async with sem:`` and ``sem.acquire()``)
_PRIMITIVES: dict[str, WaitingOn] = {
    "Semaphore": "semaphore",
    "BoundedSemaphore": "semaphore",
    "Lock": "lock",
    "Event": "event",
    "Condition": "condition",
    "Queue": "queue",
    "PriorityQueue": "queue",
    "LifoQueue": "queue",
    "Barrier": "tasks",
}
# Coroutine functions by qualified name (the last two parts), for awaits of a call.
_FUNCTIONS: dict[str, WaitingOn] = {
    "sleep": "sleep",
    "to_thread": "thread",
    "gather": "tasks",
    "wait": "tasks",
    "wait_for": "tasks",
    "_wait_for_one": "tasks",
    "TaskGroup.__aexit__": "tasks",
    "Timeout.__aexit__": "tasks",
    "shield": "tasks",
}
_STREAMING = ("aiter_", "aread", "__anext__", "Response.")
_HTTP_MODULES = ("httpx", "httpx2", "httpcore", "httpcore2")
_ASYNCIO_DIR = os.path.dirname(asyncio.__file__)


def waiting_on(awaitable: object, manager: object | None, yielded: object) -> WaitingOn | None:
    """What a task waits for when awaiting ``awaitable`` suspends with ``yielded``; None when
    it cannot be told (a bare Future)."""
    if manager is not None:
        found = _of_object(manager)
        if found is not None:
            return found
    if isinstance(yielded, asyncio.Task) or _is_gather(yielded):
        return "tasks"
    found = _of_object(awaitable)
    if found is not None:
        return found
    if isinstance(yielded, asyncio.Future) and _from_thread(yielded):
        return "thread"
    return None


def _of_object(thing: object) -> WaitingOn | None:
    if isinstance(thing, asyncio.Task):
        return "tasks"
    if isinstance(thing, asyncio.Future):
        return "thread" if _from_thread(thing) else None
    kind = type(thing)
    found = _PRIMITIVES.get(kind.__name__)
    if found is not None and kind.__module__.startswith("asyncio"):
        return found
    owner = getattr(thing, "cr_frame", None) or getattr(thing, "ag_frame", None)
    code = getattr(thing, "cr_code", None) or getattr(thing, "ag_code", None)
    if code is None:
        module = kind.__module__.partition(".")[0]
        if module in _HTTP_MODULES:
            return (
                "stream" if "Stream" in kind.__name__ or "Response" in kind.__name__ else "network"
            )
        return None
    qualname: str = code.co_qualname
    filename: str = code.co_filename
    parts = qualname.split(".")
    if filename.startswith(_ASYNCIO_DIR):
        if len(parts) > 1 and parts[0] in _PRIMITIVES:  # Lock.acquire, Queue.get, Event.wait
            return _PRIMITIVES[parts[0]]
        for key in (".".join(parts[-2:]), parts[-1]):
            if key in _FUNCTIONS:
                return _FUNCTIONS[key]
        owner_self: Any = owner.f_locals.get("self") if owner is not None else None
        if owner_self is not None:  # _ContextManagerMixin.__aenter__ of a Semaphore
            return _PRIMITIVES.get(type(owner_self).__name__)
        return None
    if any(f"{os.sep}{name}{os.sep}" in filename for name in _HTTP_MODULES):
        name = parts[-1]
        if qualname.startswith("Response.") or any(part in name for part in _STREAMING):
            return "stream"
        return "network"
    return None


def _is_gather(value: object) -> bool:
    return isinstance(value, asyncio.Future) and hasattr(value, "_children")


def _from_thread(future: asyncio.Future[Any]) -> bool:
    """A Future chained to a ``concurrent.futures`` one (``run_in_executor``, ``to_thread``)."""
    callbacks = getattr(future, "_callbacks", None) or ()
    for entry in callbacks:
        callback = entry[0] if isinstance(entry, tuple) else entry
        name = getattr(callback, "__qualname__", "")
        if "_chain_future" in name or "_call_check_cancel" in name:
            return True
    return False
