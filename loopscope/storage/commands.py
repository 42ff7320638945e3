"""What ``loopscope db upgrade`` and ``loopscope db prune`` do, on the configured database."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from loopscope.datadir import secure_data_dir
from loopscope.storage.store import Pruned, Retention, Store

if TYPE_CHECKING:
    from loopscope.settings import Settings


async def _open(settings: Settings) -> Store:
    await asyncio.to_thread(
        secure_data_dir, settings.data_dir, embedded_database=settings.embedded_database
    )
    return await Store.open(settings.resolved_database_url)  # upgrades on the way


async def upgrade_database(settings: Settings) -> str | None:
    store = await _open(settings)
    try:
        return await store.revision()
    finally:
        await store.close()


async def prune_database(settings: Settings, retention: Retention | None = None) -> Pruned:
    store = await _open(settings)
    try:
        return await store.prune(retention or settings.retention)
    finally:
        await store.close()


__all__ = ["prune_database", "upgrade_database"]
