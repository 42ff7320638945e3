"""The data folder is private: 0700, its files 0600, also when an older loopscope made them
readable by every local user."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_factories import make_catalog
from trace_fakes import FakeEngine

from loopscope.app import create_app
from loopscope.services import services_of
from loopscope.settings import Settings
from loopscope.storage import Store

pytestmark = pytest.mark.anyio

CODE = "async def f():\n    return 1\n"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def everyday_umask() -> Iterator[None]:
    """Files are made under the usual umask (022: readable by everyone) unless made private."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def settings_in(data_dir: Path) -> Settings:
    # No secret_key: the app makes one and keeps it in the data folder.
    return Settings(data_dir=data_dir, trace_prestart=False, prune_interval_s=0)


async def serve_one_learner_run(settings: Settings) -> None:
    """Start the app, record a learner's run (its source is kept in the data folder), stop."""
    app = create_app(settings, catalog=make_catalog(), engine=FakeEngine())
    async with app.router.lifespan_context(app):
        await services_of(app).traces.record_source("demo-lesson", "try", CODE, "f()")


def private_everywhere(data_dir: Path) -> dict[str, int]:
    """Every path under the folder whose mode is not private, with its mode."""
    loose = {} if mode(data_dir) == 0o700 else {".": mode(data_dir)}
    for root, dirs, files in os.walk(data_dir):
        for name in dirs:
            if mode(Path(root) / name) != 0o700:
                loose[name] = mode(Path(root) / name)
        for name in files:
            if mode(Path(root) / name) != 0o600:
                loose[name] = mode(Path(root) / name)
    return loose


async def test_a_new_data_folder_and_its_files_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "home" / ".loopscope"
    await serve_one_learner_run(settings_in(data_dir))
    names = {p.name for p in data_dir.rglob("*")}
    assert {"loopscope.sqlite3", "secret.key", "learner.py"} <= names
    assert private_everywhere(data_dir) == {}


async def test_a_folder_made_readable_before_is_tightened_at_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    store = await Store.open(f"sqlite+aiosqlite:///{data_dir / 'loopscope.sqlite3'}")
    await store.close()
    (data_dir / "secret.key").write_text("an-old-secret")
    old_source = data_dir / "sources" / ("0" * 32) / "learner.py"
    old_source.parent.mkdir(parents=True, mode=0o755)
    old_source.write_text(CODE)
    for path in (data_dir, *data_dir.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    assert private_everywhere(data_dir) != {}

    await serve_one_learner_run(settings_in(data_dir))

    assert private_everywhere(data_dir) == {}
    assert (data_dir / "secret.key").read_text() == "an-old-secret"  # tightened, not replaced
