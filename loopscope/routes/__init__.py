"""One router per area of the site."""

from loopscope.routes import catalog, checking, health, interactions, lessons, perf, trying, visual

# Mode routers before lessons.router, whose /lessons/{slug}/{mode} would take their addresses.
ROUTERS = (
    health.router,
    catalog.router,
    perf.router,
    visual.router,
    trying.router,
    checking.router,
    lessons.router,
    interactions.router,
)

__all__ = ["ROUTERS"]
