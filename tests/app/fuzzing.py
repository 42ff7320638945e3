"""Property-based requests for every route of the app, HTML forms included (hypothesis).

The routes are read from the app itself: every APIRoute with its path parameters, query
parameters and form fields (walked through its dependencies), so a new route or field is fuzzed
without touching this file. Values mix plausible ones (the demo lesson's ids, numbers around
the bounds, knob values) with arbitrary text, and the CSRF token is usually right so that most
requests reach the handler. ``bench/reliability.py`` runs the same strategies for longer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from hypothesis import strategies as st
from starlette.routing import BaseRoute

PLAUSIBLE = (
    "demo-lesson", "async-http-client-calls", "why", "deep", "visualize", "recall", "perf",
    "cmp1", "r1", "r2", "v1", "m1", "s3", "a", "b", "c", "yes", "no", "0", "1", "2", "7",
    "99", "-1", "100000", "1e9", "0.7", "true", "false", "200", "500", "",
)  # fmt: skip
# Fields read from request.form() directly (the knob forms), not declared as parameters.
EXTRA_FIELDS = ("run_form", "latency", "status", "blocking", "fresh", "n", "csrf_token")
HOSTILE_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60
)


@dataclass(frozen=True, slots=True)
class RouteShape:
    method: str
    path: str
    path_params: tuple[str, ...]
    query: tuple[str, ...]
    form: tuple[str, ...]


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def _api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # FastAPI's included routers
        if included is not None:
            yield from _api_routes(included.routes)


def route_shapes(app: FastAPI) -> list[RouteShape]:
    shapes = []
    for route in _api_routes(app.routes):
        parts = list(_walk(route.dependant))
        query = tuple(sorted({f.alias for d in parts for f in d.query_params}))
        form = tuple(sorted({f.alias for d in parts for f in d.body_params}))
        path_params = tuple(re.findall(r"{(\w+)(?::\w+)?}", route.path))
        for method in sorted(route.methods):
            extra = EXTRA_FIELDS if method == "POST" else ()
            shapes.append(
                RouteShape(method, route.path_format, path_params, query, (*form, *extra))
            )
    return shapes


def values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(PLAUSIBLE),
        st.integers(min_value=-(10**12), max_value=10**12).map(str),
        HOSTILE_TEXT,
    )


@dataclass(frozen=True, slots=True)
class FuzzRequest:
    method: str
    url: str
    params: dict[str, str]
    form: dict[str, str]


@st.composite
def requests_for(draw: st.DrawFn, shapes: Sequence[RouteShape], token: str) -> FuzzRequest:
    shape = draw(st.sampled_from(shapes))
    path_values = {
        name: draw(st.one_of(st.sampled_from(PLAUSIBLE[:8]), HOSTILE_TEXT.filter(bool)))
        for name in shape.path_params
    }
    url = shape.path.format(**{k: _path_safe(v) for k, v in path_values.items()})
    params = {name: draw(values()) for name in shape.query if draw(st.booleans())}
    form = {name: draw(values()) for name in shape.form if draw(st.booleans())}
    if shape.method == "POST" and draw(st.integers(0, 9)) > 1:
        form["csrf_token"] = token
    return FuzzRequest(shape.method, url, params, form)


def _path_safe(value: str) -> str:
    # A path segment: percent-encode what would end or split it.
    from urllib.parse import quote

    return quote(value, safe="") or "x"


def is_clean(status: int, body: str) -> bool:
    """No server error and no traceback shown."""
    return status < 500 and "Traceback (most recent call last)" not in body
