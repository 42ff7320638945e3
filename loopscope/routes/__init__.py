"""One router per area of the site."""

from loopscope.routes import catalog, health, interactions, lessons, perf, rooms, visual

# Mode routers before lessons.router, whose /lessons/{slug}/{mode} would take their addresses.
ROUTERS = (
    health.router,
    catalog.router,
    perf.router,
    visual.router,
    lessons.router,
    interactions.router,
    rooms.router,
)

__all__ = ["ROUTERS"]
