"""One router per area of the site."""

from loopscope.routes import (
    catalog,
    checking,
    favicon,
    health,
    interactions,
    lessons,
    perf,
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
    rooms.router,
)

__all__ = ["ROUTERS"]
