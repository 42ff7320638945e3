"""Hostile ?step= URLs cannot grow the server: steps are checked against the run first."""

from __future__ import annotations

import re

import httpx
import pytest
from app_helpers import HTMX
from fastapi import FastAPI

from loopscope.services import services_of
from loopscope.web.templating import fragment_cache

pytestmark = pytest.mark.anyio

PAGE = "/lessons/demo-lesson/visualize"


async def test_ten_thousand_step_numbers_keep_one_entry_per_real_step(
    client: httpx.AsyncClient, running: FastAPI
) -> None:
    found = re.search(r"/visualize/runs/([A-Za-z0-9_-]+)", (await client.get(PAGE)).text)
    assert found
    run_url = f"{PAGE}/runs/{found.group(1)}"
    for step in (*range(1, 400), *range(99_000, 99_200)):
        response = await client.get(run_url, params={"step": step}, headers=HTMX)
        assert response.status_code == 200
    fragments = services_of(running).templates.fragments
    assert len(fragments) == 7  # the canonical run's steps; before: one per step number asked


def test_the_fragment_cache_is_bounded_in_bytes() -> None:
    cache = fragment_cache(max_bytes=100_000)
    for key in range(1000):
        cache[key] = "x" * 10_000
    assert cache.currsize <= 100_000
    assert len(cache) < 10
