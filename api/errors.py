"""One error shape for every failure: RFC 9457 problem details (``application/problem+json``).

Requests to the web pages get an HTML page instead (``api/web/errors.py``).
Domain errors (``core.errors.AppError``) map to their category's status; request validation
errors become 422 with the field at fault; anything unexpected is a 500 that leaks nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problem import PROBLEM_JSON, api_routes
from api.web.errors import error_page, is_page_request
from core.errors import AppError, AuthenticationError, FieldError, RateLimitedError

__all__ = [
    "UnexpectedErrorMiddleware",
    "install_error_handlers",
    "problem_response",
    "unexpected_error_response",
]

log = logging.getLogger("creatormatch.api")


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    code: str,
    errors: list[FieldError] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://creatormatch.dev/problems/{code.replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [{"field": e.field, "line": e.line, "message": e.message} for e in errors]
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    # ("body", "audience", "gender") -> "audience.gender"; ("query", "limit") -> "limit"
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts)


_UNPARSABLE = "There was an error parsing the body"


def _field_error(err: dict[str, Any]) -> FieldError:
    if err.get("type") == "json_invalid":
        # loc is ("body", <character offset>): name the body, say where
        position = err.get("loc", ("body", "?"))[-1]
        reason = err.get("ctx", {}).get("error", "invalid JSON")
        return FieldError(field="body", message=f"not valid JSON: {reason} (character {position})")
    return FieldError(
        field=_field_name(tuple(err.get("loc", ()))) or None,
        message=str(err.get("msg", "invalid")).removeprefix("Value error, "),
    )


def _allowed_methods(request: Request) -> str:
    """Every method the request's path answers to. Starlette's 405 names only the methods of
    the first route whose path matched (``GET`` for ``/v1/creators``, though ``POST`` is
    there too), one route per method."""
    path = request.url.path
    methods = {
        method
        for route in api_routes(request.app.routes)
        if route.path_regex.match(path)
        for method in route.methods
    }
    return ", ".join(sorted(methods))


def _app_problem(exc: AppError) -> JSONResponse:
    errors = getattr(exc, "errors", None)
    extra = None
    summary = getattr(exc, "summary", None)
    if summary is not None and hasattr(summary, "as_dict"):
        extra = {"summary": {k: v for k, v in summary.as_dict().items() if k != "errors"}}
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else None
    if isinstance(exc, RateLimitedError):
        headers = {"Retry-After": str(exc.retry_after)}
    return problem_response(
        exc.status,
        exc.title,
        exc.message,
        code=exc.code,
        errors=errors,
        extra=extra,
        headers=headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the problem-details shape."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if is_page_request(request):
            return error_page(request, exc.status, exc.title, exc.message)
        return _app_problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [_field_error(err) for err in exc.errors()]
        detail = errors[0].describe() if errors else "invalid request"
        if is_page_request(request):
            return error_page(request, 422, "Invalid input", detail)
        return problem_response(422, "Invalid input", detail, code="invalid_input", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if is_page_request(request) and isinstance(exc.__cause__, AppError):
            cause = exc.__cause__
            return error_page(request, cause.status, cause.title, cause.message)
        if is_page_request(request):
            titles = {404: "Page not found", 405: "Not allowed"}
            title = titles.get(exc.status_code, str(exc.detail))
            return error_page(request, exc.status_code, title, str(exc.detail))
        if isinstance(exc.__cause__, AppError):
            # FastAPI turns any error while it reads the body into a 400; the body limit's
            # PayloadTooLargeError (a chunked body over the limit) stays a 413.
            return _app_problem(exc.__cause__)
        if exc.status_code == 400 and exc.detail == _UNPARSABLE:
            # FastAPI's answer to a body that is not even text: as invalid as bad JSON (422).
            error = FieldError(field="body", message="the body is not UTF-8 JSON")
            return problem_response(
                422, "Invalid input", error.describe(), code="invalid_input", errors=[error]
            )
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed_methods(request)}
        return problem_response(
            exc.status_code,
            str(exc.detail),
            str(exc.detail),
            code=f"http_{exc.status_code}",
            headers=headers,
        )

    # Anything unexpected is answered by UnexpectedErrorMiddleware (added by create_app
    # inside the other middleware), not by Starlette's ServerErrorMiddleware: that one
    # re-raises after answering, and uvicorn then drops the keep-alive connection without
    # a "Connection: close", so the client's next request on it fails.


def unexpected_error_response(request: Request) -> Response:
    """The answer to an unexpected error: a page or a problem that leaks nothing."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    if is_page_request(request):
        return error_page(
            request, 500, "Something went wrong", "An unexpected error occurred; it is logged."
        )
    return problem_response(
        500, "Internal error", "an unexpected error occurred", code="internal_error"
    )


class UnexpectedErrorMiddleware:
    """Turns an exception no handler took into a 500 (logged with its traceback) and keeps
    the connection open for the client's next request. When the response had already
    started there is nothing to answer: the error goes on to the server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except Exception:
            if started:
                raise
            response = unexpected_error_response(Request(scope, receive))
            await response(scope, receive, send)
