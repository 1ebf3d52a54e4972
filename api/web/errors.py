"""Errors on pages: an HTML page (or, for a missing session, the login form) instead of the
API's problem-details JSON."""

from __future__ import annotations

import contextlib
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.pages import current_user, render

__all__ = ["error_page", "is_page_request"]

_API_PREFIXES = ("/v1/", "/v1", "/healthz", "/readyz", "/metrics", "/openapi.json", "/docs")


def is_page_request(request: Request) -> bool:
    """True for a request to the web pages (not the API, health checks or unsubscribe)."""
    path = request.url.path
    return not (path.startswith(_API_PREFIXES) or path.startswith("/u/") or path == "/redoc")


def error_page(request: Request, status: int, title: str, detail: str) -> Response:
    """The page for an error: the login form for a missing session, else a short page
    that says what went wrong and where to go."""
    if status == 401:
        target = "/"
        if request.method == "GET":
            target = request.url.path + ("?" + request.url.query if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    if getattr(request.state, "web_user", None) is None:
        # Show the navigation on error pages too, when the visitor is signed in.
        with contextlib.suppress(Exception), request.app.state.database.session() as session:
            current_user(request, session)
    response: HTMLResponse = render(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail},
        status_code=status,
    )
    return response
