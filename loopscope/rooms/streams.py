"""Caps on the live streams (SSE) one process holds: per learner and per room.

A stream is cheap but not free (a task, a socket, a render per update): without a cap one
cookie held about a thousand streams open. Over a cap a new stream is refused (the route answers
429 with ``refusal``'s words) and the streams already open keep going.

>>> caps = StreamCaps(per_learner=2, per_room=3)
>>> caps.take("ada", "ROOM22"), caps.take("ada", "ROOM22")
(None, None)
>>> caps.take("ada", "ROOM22") is not None  # a third page for Ada
True
>>> caps.take("bob", "ROOM22"), caps.take("cy", "ROOM22") is not None  # the room is full
(None, True)
>>> caps.give_back("ada", "ROOM22"); caps.take("cy", "ROOM22")
"""

from __future__ import annotations

from collections import Counter


class StreamCaps:
    def __init__(self, *, per_learner: int, per_room: int) -> None:
        self.per_learner = per_learner
        self.per_room = per_room
        self._learners: Counter[str] = Counter()
        self._rooms: Counter[str] = Counter()

    def take(self, learner: str, room: str) -> str | None:
        """Hold a stream for ``learner`` in ``room``, or say why not (nothing is held then)."""
        if self._learners[learner] >= self.per_learner:
            return (
                f"This browser already follows rooms on {self.per_learner} pages at once. Close"
                " a page (or a tab) that follows a room, then reload this one."
            )
        if self._rooms[room] >= self.per_room:
            return (
                f"This room already has {self.per_room} live pages open on this server, its"
                " limit. Reload the page in a minute, or ask the host."
            )
        self._learners[learner] += 1
        self._rooms[room] += 1
        return None

    def give_back(self, learner: str, room: str) -> None:
        for counter, key in ((self._learners, learner), (self._rooms, room)):
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]

    def held(self, learner: str | None = None, room: str | None = None) -> int:
        if learner is not None:
            return self._learners[learner]
        return self._rooms[room or ""]
