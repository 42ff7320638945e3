from __future__ import annotations

import re

import httpx
import pytest

from loopscope.web.middleware.assets import IMMUTABLE, REVALIDATE

pytestmark = pytest.mark.anyio


async def test_versioned_static_is_cached_for_a_year(client: httpx.AsyncClient) -> None:
    html = (await client.get("/")).text
    found = re.search(r'href="http://testserver(/static/app\.css\?v=[0-9a-f]+)"', html)
    assert found
    response = await client.get(found.group(1))
    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE


async def test_unversioned_or_stale_static_revalidates(client: httpx.AsyncClient) -> None:
    assert (await client.get("/static/app.css")).headers["cache-control"] == REVALIDATE
    assert (await client.get("/static/app.css?v=0")).headers["cache-control"] == REVALIDATE


async def test_missing_static_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/static/nope.css")).status_code == 404
