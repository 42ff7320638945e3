"""One router per area of the site."""

from loopscope.routes import catalog, health, interactions, lessons

ROUTERS = (health.router, catalog.router, lessons.router, interactions.router)

__all__ = ["ROUTERS"]
