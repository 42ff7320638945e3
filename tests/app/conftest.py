from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from app_factories import make_catalog
from app_helpers import TemplateRecorder, client_for, csrf_token
from fastapi import FastAPI
from trace_fakes import FakeEngine

from loopscope.app import create_app
from loopscope.services import services_of
from loopscope.settings import Settings
from loopscope.storage import Store


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret",
        trace_prestart=False,
        prune_interval_s=0,  # the retention schedule has its own tests
        trace_timeout_s=5.0,
    )


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def app(settings: Settings, engine: FakeEngine) -> FastAPI:
    # Canned traces instead of worker processes; tests of the real engine build their own.
    return create_app(settings, catalog=make_catalog(), engine=engine)


@pytest.fixture
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def recorder(running: FastAPI) -> TemplateRecorder:
    return TemplateRecorder(running)


@pytest.fixture
async def client(recorder: TemplateRecorder) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(recorder) as client:
        yield client


@pytest.fixture
async def token(client: httpx.AsyncClient) -> str:
    return await csrf_token(client)


@pytest.fixture
def store(running: FastAPI) -> Store:
    return services_of(running).store
