"""Suite-wide set-up. This folder is on ``sys.path`` through it, so ``realservers`` (real
PostgreSQL, Redis and app processes for the room tests) can be imported from any test folder."""

from __future__ import annotations

import os

import pytest

# httpx's ASGITransport and Starlette's TestClient send "Host: testserver"; the app answers
# only the hosts it is told to (LOOPSCOPE_ALLOWED_HOSTS), so the suite tells it this one too.
TEST_HOSTS = "testserver,localhost,127.0.0.1,::1"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("LOOPSCOPE_ALLOWED_HOSTS", TEST_HOSTS)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last, whatever order collection and fixtures gave. pytest-playwright's
    sync API keeps an event loop running in the main thread until the session ends, so any
    async test after the first browser test would fail ("another loop is running")."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
