"""The server's retention schedule: prune once at start-up, then every ``prune_interval_s``.

The same pruning runs from the command line as ``loopscope db prune``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from loopscope.storage import Retention, Store

log = logging.getLogger("loopscope.retention")


async def prune_forever(store: Store, retention: Retention, interval_s: float) -> None:
    while True:
        try:
            pruned = await store.prune(retention)
        except Exception:  # a failed prune must not stop the schedule, nor the server
            log.exception("pruning failed; trying again in %.0f s", interval_s)
        else:
            if pruned.runs or pruned.learners:
                log.info("pruned %d runs and %d idle learners", pruned.runs, pruned.learners)
        await asyncio.sleep(interval_s)


@asynccontextmanager
async def pruning(store: Store, retention: Retention, interval_s: float) -> AsyncIterator[None]:
    """Run the schedule while the server runs; an interval of 0 turns it off."""
    if interval_s <= 0:
        yield
        return
    task = asyncio.create_task(prune_forever(store, retention, interval_s))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
