"""The app's parts, typed: what ``create_app`` makes and what its lifespan builds.

    parts = parts_of(app)           # AppParts: settings, templates, the run limiter
    services = services_of(app)     # Services: the above, and storage, runs, rooms, lessons

``create_app`` makes the ``AppParts`` with the app and builds the ``Services`` once, in its
lifespan; routes reach them through ``loopscope.web.deps``, never through attributes of
``app.state`` (the two records are its only entries).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.applications import Starlette

# Annotations only: the web's templating and CSRF check read ``parts_of`` from here, and the
# modules below import them.
if TYPE_CHECKING:
    from collections.abc import Mapping

    from loopscope.rooms.renderer import RoomRenderer
    from loopscope.rooms.service import RoomService
    from loopscope.runs.practice import Practice
    from loopscope.runs.service import TraceService
    from loopscope.settings import Settings
    from loopscope.storage import Store
    from loopscope.views import LessonContext
    from loopscope.views.catalog import CourseContext
    from loopscope.web.middleware.ratelimit import RunLimiter
    from loopscope.web.templating import Templates

NOT_STARTED = "the app has not started: its lifespan builds the services"


@dataclass(frozen=True, slots=True)
class AppParts:
    """Made with the app, before it starts."""

    settings: Settings
    templates: Templates
    run_limiter: RunLimiter


@dataclass(frozen=True, slots=True)
class Services:
    """Built once by the lifespan; ``practice`` and ``rooms`` run on ``traces``."""

    parts: AppParts
    store: Store
    traces: TraceService
    practice: Practice
    rooms: RoomService
    room_pages: RoomRenderer
    lessons: Mapping[str, LessonContext]
    course: CourseContext

    @property
    def settings(self) -> Settings:
        return self.parts.settings

    @property
    def templates(self) -> Templates:
        return self.parts.templates


def parts_of(app: Starlette) -> AppParts:
    found = getattr(app.state, "parts", None)
    if not isinstance(found, AppParts):
        raise RuntimeError("this app was not made by create_app")
    return found


def services_of(app: Starlette) -> Services:
    found = getattr(app.state, "services", None)
    if not isinstance(found, Services):
        raise RuntimeError(NOT_STARTED)
    return found
