"""``create_app``: assembles settings, lessons, storage, templates, routes and error pages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

from fastapi import Depends, FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware

from lessons import Catalog, Lesson, load_catalog
from lessons.course import Course
from loopscope.caller import CallerMiddleware
from loopscope.datadir import secure_data_dir
from loopscope.rendering import MarkdownRenderer
from loopscope.retention import pruning
from loopscope.rooms.renderer import RoomRenderer
from loopscope.rooms.service import room_service
from loopscope.runs.practice import Practice
from loopscope.runs.service import TraceBackend, trace_service
from loopscope.services import AppParts, Services
from loopscope.settings import Settings
from loopscope.storage import Store
from loopscope.views import LessonContext
from loopscope.views.catalog import CourseContext, next_lesson
from loopscope.web import errors
from loopscope.web.middleware.assets import HashedStaticFiles
from loopscope.web.middleware.guards import RequestGuards
from loopscope.web.middleware.headers import SecurityHeaders
from loopscope.web.middleware.learner import LearnerMiddleware
from loopscope.web.middleware.ratelimit import RunLimiter
from loopscope.web.middleware.security import reject_cross_site
from loopscope.web.routes import ROUTERS
from loopscope.web.templating import Templates
from visualizer.pool.authority import discard_default_authority

ROOT: Final = Path(__file__).resolve().parent.parent
TEMPLATES_DIR: Final = ROOT / "templates"
STATIC_DIR: Final = ROOT / "static"


def create_app(
    settings: Settings | None = None,
    catalog: Catalog | None = None,
    *,
    engine: TraceBackend | None = None,
) -> FastAPI:
    """The ASGI app. The lifespan loads the lessons (a broken lesson stops start-up with the
    loader's message), opens the database (upgrading its schema to the newest migration),
    builds the ``Services`` once and keeps the retention schedule.

    ``engine``: the trace backend every run goes through (default: warm sandboxed workers
    sized by the settings); tests pass a fake, the way httpx takes a ``transport=``.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loaded = catalog if catalog is not None else load_catalog()
        course = loaded.course or Course.of_lessons(loaded.lessons)
        lessons = {
            lesson.slug: LessonContext.build(
                lesson, _renderer(lesson), next_lesson(course, lesson.slug)
            )
            for lesson in loaded.lessons
        }
        await asyncio.to_thread(  # 0700, its files 0600, also when made wider before
            secure_data_dir, settings.data_dir, embedded_database=settings.embedded_database
        )
        # Several processes (a Redis URL) share the database: what each keeps about learners
        # is checked against the database before it is used (``storage/learnercache.py``).
        store = await Store.open(settings.resolved_database_url, shared=bool(settings.redis_url))
        traces = trace_service(settings, store, engine)
        rooms = room_service(settings, store, loaded, traces)
        app.state.services = Services(
            parts=parts,
            store=store,
            traces=traces,
            practice=Practice(traces, store),  # the Store includes LearnerWork
            rooms=rooms,
            room_pages=RoomRenderer(parts.templates, traces),
            lessons=lessons,
            course=CourseContext.build(course),
        )
        if settings.trace_prestart:
            traces.start()  # in the background: start-up does not wait for workers
        await rooms.start()
        try:
            async with pruning(store, settings.retention, settings.prune_interval_s):
                yield
        finally:
            await rooms.aclose()
            await traces.aclose()
            await store.close()
            discard_default_authority()  # the demo CA's private key goes with the server

    static = HashedStaticFiles(directory=STATIC_DIR)
    app = FastAPI(
        title="loopscope",
        lifespan=lifespan,
        dependencies=[Depends(reject_cross_site)],
        docs_url=None,  # the interactive docs load from a CDN; the app fetches nothing
        redoc_url=None,
    )
    parts = AppParts(
        settings=settings,
        templates=Templates(TEMPLATES_DIR, static, auto_reload=settings.dev),
        run_limiter=RunLimiter(
            settings.run_rate, settings.run_rate_storage, per_address=settings.run_rate_per_address
        ),
    )
    app.state.parts = parts
    app.mount("/static", static, name="static")
    for router in ROUTERS:
        app.include_router(router)
    errors.register(app)
    # Outermost last: every response gets the security headers, a bad Host or an oversized
    # head is refused before the learner cookie is read.
    app.add_middleware(CallerMiddleware)  # inside: it reads the learner
    app.add_middleware(LearnerMiddleware, secret_key=settings.resolved_secret_key)
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts), www_redirect=False
    )
    app.add_middleware(RequestGuards, max_header_bytes=settings.max_header_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def _renderer(lesson: Lesson) -> MarkdownRenderer:
    titles = {name: example.title for name, example in lesson.meta.examples.items()}
    return MarkdownRenderer(lesson.sources, titles)
