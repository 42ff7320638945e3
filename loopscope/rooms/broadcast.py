"""How a room's events reach the other processes serving it.

One process (the default): the process that stored an event applies it to its own live rooms,
so there is nothing to send: ``LocalBroadcast``. Several processes: ``RedisBroadcast`` publishes
each event on ``loopscope:room:<code>`` and every process listens on ``loopscope:room:*``.

Redis pub/sub is at-most-once: a message can be lost while a connection is down. Nothing depends
on every message arriving: events are numbered and stored, a process that sees a gap reads what
it missed from the database, and after a reconnect every live room is checked against the
database (``on_reconnect``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final, Protocol

from loopscope.rooms.state import RoomEvent

if TYPE_CHECKING:
    import redis.asyncio as aioredis

log = logging.getLogger("loopscope.rooms")

CHANNEL_PREFIX: Final = "loopscope:room:"
Deliver = Callable[[str, RoomEvent], Awaitable[None]]
Reconnected = Callable[[], Awaitable[None]]


class Broadcast(Protocol):
    async def start(self, deliver: Deliver, on_reconnect: Reconnected) -> None: ...
    async def publish(self, code: str, event: RoomEvent) -> None: ...
    async def aclose(self) -> None: ...


class LocalBroadcast:
    """One process: the writer has applied the event itself already."""

    async def start(self, deliver: Deliver, on_reconnect: Reconnected) -> None:
        return None

    async def publish(self, code: str, event: RoomEvent) -> None:
        return None

    async def aclose(self) -> None:
        return None


class RedisBroadcast:
    """Redis pub/sub between the processes (``LOOPSCOPE_REDIS_URL``)."""

    def __init__(self, url: str, *, retry_s: float = 0.5) -> None:
        # Imported here: a one-process server never loads redis-py (it takes a while to import).
        import redis.asyncio
        from redis.exceptions import RedisError

        self._redis: aioredis.Redis = redis.asyncio.from_url(url)
        self._errors: tuple[type[Exception], ...] = (RedisError, OSError)
        self._retry_s = retry_s
        self._task: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    async def start(self, deliver: Deliver, on_reconnect: Reconnected) -> None:
        self._task = asyncio.create_task(self._listen(deliver, on_reconnect))
        # Start-up waits (briefly) for the subscription, so no event of the first seconds is lost.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await self.subscribed.wait()

    async def publish(self, code: str, event: RoomEvent) -> None:
        try:
            await self._redis.publish(CHANNEL_PREFIX + code, event.to_json())
        except self._errors as exc:
            # The event is stored: the other processes catch up when they next check.
            log.warning("could not publish room event to Redis: %s", exc)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._redis.aclose()

    async def _listen(self, deliver: Deliver, on_reconnect: Reconnected) -> None:
        connected_before = False
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                self.subscribed.set()
                if connected_before:
                    await on_reconnect()
                connected_before = True
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    channel = _text(message["channel"])
                    try:
                        event = RoomEvent.from_json(_text(message["data"]))
                    except (ValueError, TypeError, KeyError):
                        log.warning("ignored a malformed room event on %s", channel)
                        continue
                    await deliver(channel.removeprefix(CHANNEL_PREFIX), event)
            except self._errors as exc:
                log.warning("Redis pub/sub connection lost (%s); reconnecting", exc)
                await asyncio.sleep(self._retry_s)
            finally:
                with contextlib.suppress(*self._errors):
                    await pubsub.aclose()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
