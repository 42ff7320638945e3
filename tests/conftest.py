"""Suite-wide set-up. This folder is on ``sys.path`` through it, so ``realservers`` (real
PostgreSQL, Redis and app processes for the room tests) can be imported from any test folder."""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

# httpx's ASGITransport and Starlette's TestClient send "Host: testserver"; the app answers
# only the hosts it is told to (LOOPSCOPE_ALLOWED_HOSTS), so the suite tells it this one too.
TEST_HOSTS = "testserver,localhost,127.0.0.1,::1"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("LOOPSCOPE_ALLOWED_HOSTS", TEST_HOSTS)


def _starts_real_servers(item: pytest.Item) -> bool:
    """Whether the item's module uses ``realservers`` (real PostgreSQL, Redis or app processes)."""
    module = getattr(item, "module", None)
    return (
        any(
            getattr(value, "__module__", None) == "realservers"
            for value in vars(module).values()
            if callable(value)
        )
        if module is not None
        else False
    )


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Generator[None, None, None]:
    """Around every other plugin's reordering and selection: first mark the tests that start
    real servers, so that ``-m`` can leave them out (``make test-fast``); then, once the others
    are done, run the browser tests last, whatever order collection and fixtures gave.
    pytest-playwright's sync API keeps an event loop running in the main thread until the
    session ends, so any async test after the first browser test would fail ("another loop is
    running")."""
    for item in items:
        if _starts_real_servers(item):
            item.add_marker(pytest.mark.realservers)
    yield
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
