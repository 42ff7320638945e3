"""Exception handlers: every error is an HTML page (or an htmx fragment) for the learner.

RequestValidationError   422  a form field is missing or malformed
LessonError              422  an unknown item or option id (the loader's lookups)
KnobError                422  a knob value outside what the knob accepts
TraceServiceError        503  the trace queue is full, a run is slow or could not be recorded
                              (with Retry-After: the learner can simply try again)
HTTPException            its status (404 unknown lesson or mode, 403 CSRF, 405, 429 too many
                              runs with Retry-After ...)
Exception                500  a friendly page; the traceback goes to the log, never out
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from lessons import LessonError
from loopscope.knobs import KnobError
from loopscope.runs.service import (
    CallerGone,
    TraceBusy,
    TraceServiceError,
    TraceShareUsed,
    TraceTimedOut,
)
from loopscope.services import parts_of
from loopscope.web.middleware import headers

log = logging.getLogger("loopscope")

TITLES = {
    400: "Bad request",
    403: "Refused",
    404: "Page not found",
    405: "Not allowed",
    422: "That answer could not be used",
    429: "Too many runs",
    431: "Request headers too large",
    500: "Something went wrong",
    503: "Busy, try again in a moment",
}
RETRY_AFTER_S = 5


@dataclass(frozen=True, slots=True)
class ErrorView:
    status: int
    title: str
    message: str
    details: tuple[str, ...] = ()


def _field_name(location: tuple[object, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "form")]
    return ".".join(parts) or "the request"


def _render(request: Request, error: ErrorView) -> Response:
    templates = parts_of(request.app).templates
    return templates.render(
        request, "error.html", {"error": error}, blocks=("message",), status_code=error.status
    )


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = tuple(
        f"{_field_name(tuple(item.get('loc', ())))}: {item.get('msg', 'invalid')}"
        for item in exc.errors()
    )
    return _render(
        request,
        ErrorView(422, TITLES[422], "The form was missing something or held a bad value.", details),
    )


async def lesson_error(request: Request, exc: Exception) -> Response:
    return _render(request, ErrorView(422, TITLES[422], str(exc)))


async def knob_error(request: Request, exc: Exception) -> Response:
    return _render(request, ErrorView(422, "That value could not be used", str(exc)))


async def trace_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, TraceShareUsed):
        message = (
            "Runs from your network address already hold their share of the queue."
            " Try again when one of them is done."
        )
    elif isinstance(exc, TraceBusy):
        message = "Every trace worker is busy and the queue is full. Try again in a moment."
    elif isinstance(exc, CallerGone):
        message = "The run was stopped: the page that asked for it was closed."
    elif isinstance(exc, TraceTimedOut):
        message = "The run is still recording. Reload in a moment and it will be there."
    else:
        message = f"The run could not be recorded: {exc}. Trying again may help."
    response = _render(request, ErrorView(503, TITLES[503], message))
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    title = TITLES.get(exc.status_code, "Error")
    message = exc.detail if isinstance(exc.detail, str) else title
    response = _render(request, ErrorView(exc.status_code, title, message))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    response: Response
    try:
        response = _render(
            request,
            ErrorView(
                500, TITLES[500], "The error was logged. Going back and trying again may help."
            ),
        )
    except Exception:  # the templates themselves failed: plain text, still no traceback
        log.exception("the error page failed too")
        response = Response("Something went wrong.", status_code=500, media_type="text/plain")
    # This answer leaves through Starlette's outermost middleware, past SecurityHeaders.
    headers.apply(response.headers, getattr(request.state, "csp_nonce", "") or headers.new_nonce())
    return response


def register(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(LessonError, lesson_error)
    app.add_exception_handler(KnobError, knob_error)
    app.add_exception_handler(TraceServiceError, trace_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, server_error)
