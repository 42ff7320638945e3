"""The server prunes on a schedule, with the retention settings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from app_factories import make_catalog

from loopscope.app import create_app
from loopscope.services import parts_of, services_of
from loopscope.settings import Settings
from loopscope.storage import Pruned, Retention, Store, StoredRun

pytestmark = pytest.mark.anyio


def old_run(run_id: str, days: float) -> StoredRun:
    created = datetime.now(UTC) - timedelta(days=days)
    return StoredRun(run_id, run_id, "demo-lesson", "canonical", "f()", (), "{}", created)


async def test_the_server_prunes_old_runs_while_it_runs(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings.model_copy(update={"prune_interval_s": 0.05, "run_retention_days": 7})
    app = create_app(settings, catalog=make_catalog())
    async with app.router.lifespan_context(app):
        store: Store = services_of(app).store
        saved = False
        pruned_since = asyncio.Event()  # a prune that began after both runs were saved ended
        prune = store.prune

        async def watched(retention: Retention) -> Pruned:
            began_after = saved
            pruned = await prune(retention)
            if began_after:
                pruned_since.set()
            return pruned

        monkeypatch.setattr(store, "prune", watched)
        await store.save_run(old_run("old-run-1", days=8))
        await store.save_run(old_run("new-run-1", days=1))
        saved = True
        await asyncio.wait_for(pruned_since.wait(), timeout=10)
        assert await store.run("old-run-1") is None
        assert await store.run("new-run-1") is not None


def test_templates_are_compiled_once_outside_development(settings: Settings) -> None:
    app = create_app(settings, catalog=make_catalog())
    assert parts_of(app).templates.blocks.env.auto_reload is False
    dev = create_app(settings.model_copy(update={"dev": True}), catalog=make_catalog())
    assert parts_of(dev).templates.blocks.env.auto_reload is True
