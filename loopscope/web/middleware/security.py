"""CSRF defence; neither FastAPI nor Starlette has one built in.

Three layers, each cheap:

1. The learner cookie is SameSite=Lax, so browsers leave it off cross-site POSTs.
2. ``reject_cross_site`` (an app-wide dependency) refuses unsafe methods whose ``Sec-Fetch-Site``
   says cross-site or whose ``Origin`` is not this site's origin. Requests with neither header
   (curl, old browsers) pass: layer 1 and 3 still hold.
3. ``require_csrf_token`` (on the routes that change state) wants a token bound to the learner:
   the ``X-CSRF-Token`` header that htmx sends (``hx-headers`` on <body>) or the ``csrf_token``
   form field that every form carries for use without JavaScript.
"""

from __future__ import annotations

import hmac
from functools import lru_cache

from fastapi import HTTPException, Request
from itsdangerous import Signer

from loopscope.services import parts_of

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_SAME_SITE_FETCH = frozenset({"same-origin", "none"})

CROSS_SITE_MESSAGE = "This request came from another site, so it was refused."
TOKEN_MESSAGE = (
    "This form could not be checked (it may be from an old page, or cookies are off). "
    "Reload the page and try again."
)


@lru_cache(maxsize=8192)
def csrf_token(learner_id: str, secret_key: str) -> str:
    """The token for one learner: an HMAC of the id, so it needs no storage. Every page
    carries it, so the tokens of recent learners are kept (a few hundred KB at most).

    >>> csrf_token("a" * 32, "k") == csrf_token("a" * 32, "k") != csrf_token("b" * 32, "k")
    True
    """
    return Signer(secret_key, salt="loopscope.csrf").get_signature(learner_id).decode()


def is_cross_site(request: Request) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in _SAME_SITE_FETCH:
        return True
    origin = request.headers.get("origin")
    return origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}"


async def reject_cross_site(request: Request) -> None:
    if request.method not in SAFE_METHODS and is_cross_site(request):
        raise HTTPException(status_code=403, detail=CROSS_SITE_MESSAGE)


async def require_csrf_token(request: Request) -> None:
    secret = parts_of(request.app).settings.resolved_secret_key
    expected = csrf_token(request.state.learner.id, secret)
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        field = form.get(CSRF_FIELD)
        given = field if isinstance(field, str) else None
    # Bytes: compare_digest refuses str with non-ASCII characters (a fuzzed form found it).
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(status_code=403, detail=TOKEN_MESSAGE)
