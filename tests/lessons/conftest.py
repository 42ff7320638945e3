from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lesson_helpers import FIXTURES, TINY


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    """A content root holding a fresh copy of the tiny lesson."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / TINY, root / TINY)
    return root


@pytest.fixture
def tiny(content_root: Path) -> Path:
    """The copied tiny lesson folder, free to break."""
    return content_root / TINY


@pytest.fixture(scope="session")
def trace_cache(request: pytest.FixtureRequest) -> Path:
    """Where real runs' traces are kept across tests and sessions (keyed by source, call and
    engine: see ``lessons.check.cached_runner``), in pytest's own cache folder."""
    return request.config.cache.mkdir("lesson-traces")
