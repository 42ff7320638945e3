"""What the pages read about a learner, kept in memory until the learner writes again.

A lesson page needs the learner's state in the lesson (place, commitments, answers), some pages
their passes or a draft too. Read from the database that is several queries and a thread hop
per page, for every learner of a room on every load. ``LearnerCache`` keeps each answer, keyed
by learner, lesson and what was read, and the repositories drop a learner's entries for a
lesson as soon as a write to it has committed (write-through invalidation): a learner who
answers a question sees the answer on their next page.

Which process may trust what it keeps:

- One process (the default, ``LOOPSCOPE_REDIS_URL`` empty): every write goes through this
  process's ``Store``, so its memory is never behind the database and a page reads nothing.
- Several processes (PostgreSQL and Redis): a write may happen in another process. Every write
  adds one to the learner's ``learners.state_version`` in its own transaction; a read first
  fetches that one number by primary key and uses a kept entry only if it was read at the same
  version. A learner with no row has version ``None``; pruning a learner removes the row, so a
  kept entry of theirs no longer matches either.

A read that overlaps a write of this process is not kept (``generation``): it may have seen
the database before the write. Entries are bounded in bytes (an estimate per record), least
recently used first.

A learner issued by this process (a new cookie) has nothing stored: ``new_learner`` says so, and
their reads answer "nothing" with no query until their first write.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from cachetools import LRUCache

T = TypeVar("T")
CACHE_BYTES: Final = 16 * 1024 * 1024
# An estimate of one kept record's size (a dataclass with a few short strings and a datetime).
RECORD_BYTES: Final = 400
_ENTRY_BYTES: Final = 300
# The "lesson" of what is read about a learner as a whole (do they exist): dropped on any write.
ANY_LESSON: Final = ""
Version = int | None  # learners.state_version; None: the learner has no row
_NOTHING: Final = "nothing stored"


@dataclass(frozen=True, slots=True)
class _Entry:
    version: Version
    values: dict[Hashable, tuple[Any, int]]  # what was read -> (the value, its estimated bytes)


def records(count: int) -> int:
    """Estimated bytes of a value holding ``count`` records."""
    return RECORD_BYTES * (1 + count)


def _entry_size(entry: _Entry) -> int:
    return _ENTRY_BYTES + sum(size for _, size in entry.values.values())


class LearnerCache:
    """Reads of one learner in one lesson, kept until that learner writes to that lesson."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self._entries: LRUCache[tuple[str, str], _Entry] = LRUCache(
            maxsize=max_bytes, getsizeof=_entry_size
        )
        # Bumped by every write this process makes: a read that began before it is not kept.
        self.generation = 0

    async def read(
        self,
        learner: str,
        lesson: str,
        what: Hashable,
        load: Callable[[], Awaitable[T]],
        *,
        size: Callable[[T], int],  # estimated bytes of a value
        empty: T,  # what a learner with nothing stored has
        version: Version = 0,
    ) -> T:
        """The kept value of ``what`` for (learner, lesson) at ``version``, else ``load()``'s."""
        marker = self._entries.get((learner, ANY_LESSON))
        if marker is not None and marker.version == version and _NOTHING in marker.values:
            return empty
        key = (learner, lesson)
        entry = self._entries.get(key)
        if entry is not None and entry.version == version and what in entry.values:
            value: T = entry.values[what][0]
            return value
        generation = self.generation
        loaded = await load()
        if generation == self.generation:  # no write of this process overlapped the read
            entry = self._entries.get(key)
            kept = entry.values if entry is not None and entry.version == version else {}
            values = {**kept, what: (loaded, size(loaded))}
            with contextlib.suppress(ValueError):  # larger than the whole cache: not kept
                self._entries[key] = _Entry(version, values)
        return loaded

    def new_learner(self, learner: str, version: Version = 0) -> None:
        """A learner this process has just issued: nothing is stored about them (until a
        write, which forgets this), so no read of theirs needs the database. A room of new
        learners opening a page reads nothing."""
        with contextlib.suppress(ValueError):
            self._entries[(learner, ANY_LESSON)] = _Entry(version, {_NOTHING: (True, 0)})

    def forget(self, learner: str, lesson: str) -> None:
        """After a write to (learner, lesson) has committed."""
        self.generation += 1
        self._entries.pop((learner, lesson), None)
        self._entries.pop((learner, ANY_LESSON), None)

    def clear(self) -> None:
        """After a write that may touch any learner (pruning)."""
        self.generation += 1
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
