"""The web pages for recruiters and compliance reviewers: server-rendered jinja2, our own
small stylesheet and script under ``static/`` (no CDN: the pages work offline), sessions
with CSRF-protected forms (see ``pages.py``)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web import (
    auth,
    campaign_brief,
    campaign_drafts,
    campaign_pipeline,
    campaign_plan,
    compliance,
    programs,
    search,
    settings,
)
from api.web.pages import STATIC_DIR

__all__ = ["PAGE_SECURITY_HEADERS", "install_web"]

# Pages load only our own scripts, styles and images; nobody may frame them.
PAGE_SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "SAMEORIGIN",
}


class PageHeadersMiddleware:
    """Adds :data:`PAGE_SECURITY_HEADERS` to HTML responses that do not set their own CSP
    (a document preview sets a stricter one), and ``Cache-Control: no-store`` to every
    response but the static files (pages behind a sign-in and API answers hold an
    organisation's data: no browser or proxy may keep a copy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _value in headers}
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    for name, value in PAGE_SECURITY_HEADERS.items():
                        if name.encode() not in names:
                            headers.append((name.encode(), value.encode()))
                if not static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_web(app: FastAPI) -> None:
    """Mount the pages and their static files on ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(PageHeadersMiddleware)
    for module in (
        auth,
        search,
        campaign_brief,
        campaign_plan,
        campaign_pipeline,
        campaign_drafts,
        compliance,
        programs,
        settings,
    ):
        app.include_router(module.router)
