"""One router per area of the site."""

from loopscope.web.routes import (
    catalog,
    checking,
    favicon,
    health,
    interactions,
    lessons,
    perf,
    room_code,
    room_presenter,
    room_records,
    rooms,
    trying,
    visual,
)

# Mode routers before lessons.router, whose /lessons/{slug}/{mode} would take their addresses.
ROUTERS = (
    health.router,
    favicon.router,
    catalog.router,
    perf.router,
    visual.router,
    trying.router,
    checking.router,
    lessons.router,
    interactions.router,
    room_code.router,  # before rooms.router, whose /items/{item}/{verb} would take its address
    rooms.router,
    room_presenter.router,
    room_records.router,
)

__all__ = ["ROUTERS"]
