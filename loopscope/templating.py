"""Jinja2 with jinja2-fragments: one template serves a whole page and its htmx fragments.

A request made by htmx for a part of the page (``HX-Request: true``, not boosted, not asking for
the full page) gets only the named block(s); any other request gets the whole page. Both carry
``Vary: HX-Request`` so that caches keep them apart.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

import jinja2
from jinja2_fragments import render_block
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from loopscope.assets import HashedStaticFiles
from loopscope.modepaths import segment_for
from loopscope.security import csrf_token

VARY = "HX-Request, HX-Boosted, HX-Request-Type"


def is_partial(request: Request) -> bool:
    """True for an htmx request that targets a part of the page."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-request-type", "partial") == "partial"
    )


def _page_context(request: Request) -> dict[str, Any]:
    learner = getattr(request.state, "learner", None)
    if learner is None:
        return {"csrf_token": ""}
    secret = request.app.state.settings.resolved_secret_key
    return {"csrf_token": csrf_token(learner.id, secret)}


class Templates:
    """The app's templates; ``render`` picks the whole page or its blocks."""

    def __init__(self, directory: Path, static: HashedStaticFiles) -> None:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self.static = static
        env.globals["static_url"] = self._static_url
        env.globals["mode_segment"] = segment_for
        self.blocks = Jinja2Blocks(env=env, context_processors=[_page_context])
        self.fragments = FragmentCache()

    def shared_fragment(
        self, key: Hashable, name: str, block: str, context: Callable[[], dict[str, Any]]
    ) -> Response:
        """One block of ``name`` that is the same for every learner, rendered once per ``key``.

        For fragments with no learner state, token or request in them: one step of a recorded
        run is the same HTML for everybody who steps through it.
        """
        html = self.fragments.get(key)
        if html is None:
            html = render_block(self.blocks.env, name, block, **context())
            self.fragments.put(key, html)
        return HTMLResponse(html, headers={"Vary": VARY})

    def block_markup(self, name: str, block: str, context: dict[str, Any]) -> Markup:
        """One block of ``name`` rendered to HTML to embed in another page (one player for
        Visual and Try: the learner's run is shown with Visual's own ``player`` block)."""
        return Markup(render_block(self.blocks.env, name, block, **context))

    @staticmethod
    @jinja2.pass_context
    def _static_url(context: jinja2.runtime.Context, path: str) -> str:
        request: Request = context["request"]
        static: HashedStaticFiles = request.app.state.templates.static
        return f"{request.url_for('static', path=path)}?v={static.hashes[path]}"

    def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any],
        *,
        blocks: Sequence[str] = (),
        status_code: int = 200,
    ) -> Response:
        response: Response
        if blocks and is_partial(request):
            response = self.blocks.TemplateResponse(
                request, name, context, status_code=status_code, block_names=list(blocks)
            )
        else:
            response = self.blocks.TemplateResponse(request, name, context, status_code=status_code)
        response.headers["Vary"] = VARY
        return response


class FragmentCache:
    """A bounded least-recently-used map of rendered HTML."""

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, str] = OrderedDict()

    def get(self, key: Hashable) -> str | None:
        html = self._items.get(key)
        if html is not None:
            self._items.move_to_end(key)
        return html

    def put(self, key: Hashable, html: str) -> None:
        self._items[key] = html
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
