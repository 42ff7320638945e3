"""Suite-wide set-up."""

from __future__ import annotations

import os

import pytest

# httpx's ASGITransport and Starlette's TestClient send "Host: testserver"; the app answers
# only the hosts it is told to (LOOPSCOPE_ALLOWED_HOSTS), so the suite tells it this one too.
TEST_HOSTS = "testserver,localhost,127.0.0.1,::1"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("LOOPSCOPE_ALLOWED_HOSTS", TEST_HOSTS)
