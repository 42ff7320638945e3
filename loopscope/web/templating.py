"""Jinja2 with jinja2-fragments: one template serves a whole page and its htmx fragments.

A request made by htmx for a part of the page (``HX-Request: true``, not boosted, not asking for
the full page) gets only the named block(s); any other request gets the whole page. Both carry
``Vary: HX-Request`` so that caches keep them apart.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
import jinja2
from anyio import CapacityLimiter
from cachetools import LRUCache
from jinja2_fragments import render_block
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from loopscope.services import parts_of
from loopscope.web.middleware.assets import HashedStaticFiles
from loopscope.web.middleware.security import csrf_token
from loopscope.web.modepaths import segment_for

VARY = "HX-Request, HX-Boosted, HX-Request-Type"
# Rendered fragments kept for everybody (steps of recorded runs), bounded in bytes. A step of
# a big run is about 75 KB (it brings its windows); a learner's own run is rarely stepped by
# anyone else, so 16 MB (200 such steps, thousands of a lesson run's) is what pays.
FRAGMENT_CACHE_BYTES = 16 * 1024 * 1024
# Rendered pages, by learner state: a room of learners opening a page renders it once.
PAGE_CACHE_BYTES = 32 * 1024 * 1024
# An entry larger than this share of its cache is served but not kept: one page never pushes
# out everything else (cachetools would refuse it outright past the whole bound).
LARGEST_SHARE = 8
# Views and blocks built off the event loop at once; more wait their turn (a room of learners
# stepping a big run must not start a thread each).
RENDER_THREADS = 2

T = TypeVar("T")
# Stand-ins for what differs per request in a cached page; not valid in either attribute.
_CSRF_MARK = "\x00csrf\x00"
_NONCE_MARK = "\x00nonce\x00"
_CSRF_MARK_BYTES = _CSRF_MARK.encode()
_NONCE_MARK_BYTES = _NONCE_MARK.encode()


def is_partial(request: Request) -> bool:
    """True for an htmx request that targets a part of the page."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-request-type", "partial") == "partial"
    )


def _page_context(request: Request) -> dict[str, Any]:
    nonce = getattr(request.state, "csp_nonce", "")
    learner = getattr(request.state, "learner", None)
    if learner is None:
        return {"csrf_token": "", "csp_nonce": nonce}
    secret = parts_of(request.app).settings.resolved_secret_key
    return {"csrf_token": csrf_token(learner.id, secret), "csp_nonce": nonce}


class Templates:
    """The app's templates; ``render`` picks the whole page or its blocks."""

    def __init__(
        self, directory: Path, static: HashedStaticFiles, *, auto_reload: bool = False
    ) -> None:
        # Outside development the templates are compiled once: no stat() of every template
        # file on every render.
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            auto_reload=auto_reload,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self.static = static
        env.globals["static_url"] = self._static_url
        env.globals["mode_segment"] = segment_for
        self.blocks = Jinja2Blocks(env=env, context_processors=[_page_context])
        self.fragments: LRUCache[Hashable, str] = fragment_cache()
        self.pages: LRUCache[Hashable, _Page] = LRUCache(
            maxsize=PAGE_CACHE_BYTES, getsizeof=lambda page: sys.getsizeof(page.body)
        )
        self._limiter: CapacityLimiter | None = None

    async def off_loop(self, work: Callable[[], T]) -> T:
        """``work()`` in a worker thread, at most ``RENDER_THREADS`` at once: building a run's
        view and rendering it take time in proportion to the run, which the event loop (and
        every other request) must not wait for."""
        if self._limiter is None:
            self._limiter = CapacityLimiter(RENDER_THREADS)
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)

    def page(
        self,
        request: Request,
        name: str,
        state_key: Hashable,
        context: Callable[[], dict[str, Any]],
        *,
        blocks: Sequence[str] = (),
    ) -> Response:
        """A whole page that depends only on the lesson, the learner's state and whatever
        else the route puts in ``state_key``, and the address: rendered once per key, then
        only the CSRF token and the CSP nonce are put in (two ``bytes.replace``). Partial
        (htmx) requests, which get ``blocks``, and addresses with a query are rendered as
        usual."""
        scope = request.scope
        if scope.get("query_string") or is_partial(request):
            return self.render(request, name, context(), blocks=blocks)
        # The address as the scope gives it: everything ``url_for`` builds absolute URLs from.
        origin = (scope.get("scheme"), request.headers.get("host"), scope.get("server"))
        key = (name, origin, scope.get("root_path"), scope["path"], state_key)
        cached = self.pages.get(key)
        if cached is None:
            values = context()
            template = self.blocks.env.get_template(name)
            rendered = template.render(
                {**values, "request": request, "csrf_token": _CSRF_MARK, "csp_nonce": _NONCE_MARK}
            )
            cached = _Page(rendered.encode(), template)
            keep(self.pages, key, cached)
        page_values = _page_context(request)
        body = cached.body.replace(_CSRF_MARK_BYTES, page_values["csrf_token"].encode()).replace(
            _NONCE_MARK_BYTES, page_values["csp_nonce"].encode()
        )
        return _CachedPageResponse(cached, request, body, context)

    async def shared_fragment(
        self, key: Hashable, name: str, block: str, context: Callable[[], dict[str, Any]]
    ) -> Response:
        """One block of ``name`` that is the same for every learner, rendered once per ``key``,
        off the event loop (``context`` is called there too).

        For fragments with no learner state, token or request in them: one step of a recorded
        run is the same HTML for everybody who steps through it.
        """
        html = self.fragments.get(key)
        if html is None:
            html = await self.off_loop(
                lambda: render_block(self.blocks.env, name, block, **context())
            )
            keep(self.fragments, key, html)
        return HTMLResponse(html, headers={"Vary": VARY})

    def block_markup(self, name: str, block: str, context: dict[str, Any]) -> Markup:
        """One block of ``name`` rendered to HTML to embed in another page (one player for
        Visual and Try: the learner's run is shown with Visual's own ``player`` block)."""
        return Markup(render_block(self.blocks.env, name, block, **context))

    @staticmethod
    @jinja2.pass_context
    def _static_url(context: jinja2.runtime.Context, path: str) -> str:
        request: Request = context["request"]
        static = parts_of(request.app).templates.static
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


@dataclass(frozen=True, slots=True)
class _Page:
    # Only the bytes count against the cache's bound, so nothing else of the render is kept
    # (a view's records can outweigh its HTML).
    body: bytes  # the page's HTML, encoded, with the stand-ins in it
    template: jinja2.Template


class _CachedPageResponse(HTMLResponse):
    """A cached page, reporting its template and context to ``http.response.debug`` the way
    Starlette's template responses do (tests read them; the context is built again only
    then)."""

    def __init__(
        self,
        page: _Page,
        request: Request,
        body: bytes,
        context: Callable[[], dict[str, Any]],
    ) -> None:
        super().__init__(body, headers={"Vary": VARY})
        self.template = page.template
        self.request = request
        self.make_context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if "http.response.debug" in scope.get("extensions", {}):
            context = {**self.make_context(), "request": self.request}
            info = {"template": self.template, "context": context}
            await send({"type": "http.response.debug", "info": info})
        await super().__call__(scope, receive, send)


def keep(cache: LRUCache[Hashable, Any], key: Hashable, value: Any) -> bool:
    """Put ``value`` in ``cache`` unless it is over ``1 / LARGEST_SHARE`` of the cache's bound."""
    if cache.getsizeof(value) * LARGEST_SHARE > cache.maxsize:
        return False
    cache[key] = value
    return True


def fragment_cache(max_bytes: int = FRAGMENT_CACHE_BYTES) -> LRUCache[Hashable, str]:
    """Least recently used HTML goes first once the strings' sizes add up to ``max_bytes``."""
    return LRUCache(maxsize=max_bytes, getsizeof=sys.getsizeof)
