"""Everything HTTP: the routes, the middleware, the dependencies routes reach the app through,
the error pages, templating and the hardened server."""
