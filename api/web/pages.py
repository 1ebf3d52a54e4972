"""What every page shares: the jinja2 environment, the signed-in user, role checks, CSRF
protection of forms, flash messages and redirects.

Pages are server-rendered; a form posts, the handler does one service call and answers with
a 303 redirect (post/redirect/get) and a flash message, or re-renders the form with the
errors next to the fields. Every POST handler depends on :data:`FormUser`, which checks the
session and the form's ``csrf_token`` before the handler runs.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from accounts.users import UserService
from api.deps import SessionDep
from core.errors import AuthenticationError, FieldError, PermissionDeniedError
from core.settings import Settings
from outreach.service import OutreachService

__all__ = [
    "AREAS",
    "SESSION_COOKIE",
    "FormUser",
    "PageUser",
    "RecruiterUser",
    "WebUser",
    "field_errors",
    "outreach_service",
    "redirect",
    "render",
    "require_role",
    "safe_next",
    "templates",
]

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
SESSION_COOKIE = "cm_session"
FLASH_COOKIE = "cm_flash"
LOGIN_CSRF_COOKIE = "cm_login_csrf"

# The navigation: (path, label, roles that see it).
AREAS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("/search", "Search", ("recruiter", "admin")),
    ("/campaigns", "Campaigns", ("recruiter", "admin")),
    ("/compliance", "Compliance", ("reviewer", "admin")),
    ("/programs", "Programs", ("recruiter", "reviewer", "admin")),
    ("/settings", "Settings", ("recruiter", "admin")),
    ("/users", "Users", ("admin",)),
)

templates = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class WebUser:
    """The signed-in person, as the pages need them."""

    id: int
    organization_id: int
    organization_name: str
    email: str
    name: str
    role: str
    csrf_token: str
    session_id: int

    @property
    def actor(self) -> str:
        """How audit trails name this person."""
        return f"user:{self.email}"

    def may(self, path: str) -> bool:
        """True when this user's role sees the area at ``path``."""
        return any(path == area and self.role in roles for area, _label, roles in AREAS)


class LoginRequiredError(AuthenticationError):
    """No live session: pages answer with a redirect to the login form."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in to see this page")
        self.next_path = next_path


def outreach_service(request: Request) -> OutreachService:
    """The app's outreach service (drafts, pipeline, sequences, sender profile)."""
    service: OutreachService = request.app.state.outreach
    return service


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def secure_cookies(request: Request) -> bool:
    """Cookies are Secure whenever the site is served over HTTPS."""
    settings = _settings(request)
    return request.url.scheme == "https" or settings.public_url.startswith("https://")


def current_user(request: Request, session: SessionDep) -> WebUser:
    token = request.cookies.get(SESSION_COOKIE, "")
    found = UserService().resolve(session, token)
    if found is None:
        raise LoginRequiredError(request.url.path)
    user = found.user
    web_user = WebUser(
        id=user.id,
        organization_id=user.organization_id,
        organization_name=user.organization.name,
        email=user.email,
        name=user.name or user.email,
        role=user.role,
        csrf_token=found.csrf_token,
        session_id=found.id,
    )
    request.state.web_user = web_user
    return web_user


PageUser = Annotated[WebUser, Depends(current_user)]


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


async def form_user(request: Request, user: PageUser) -> WebUser:
    """The signed-in user of a form post, after the CSRF checks: the form's ``csrf_token``
    must equal the session's, and a browser's Origin header must be this site."""
    form = await request.form()
    sent = form.get("csrf_token")
    if (
        not isinstance(sent, str)
        or not hmac.compare_digest(sent, user.csrf_token)
        or not _same_origin(request)
    ):
        raise PermissionDeniedError(
            "the form expired or came from another site; reload the page and try again"
        )
    return user


FormUser = Annotated[WebUser, Depends(form_user)]


@dataclass(frozen=True)
class require_role:  # noqa: N801  # used like a function: Depends(require_role("reviewer"))
    """A dependency that lets only the given roles (and admins) through."""

    roles: tuple[str, ...]

    def __init__(self, *roles: str) -> None:
        object.__setattr__(self, "roles", roles)

    def __call__(self, user: PageUser) -> WebUser:
        if user.role != "admin" and user.role not in self.roles:
            raise PermissionDeniedError(
                f"this page is for {' and '.join(self.roles)}s; you are signed in as a {user.role}"
            )
        return user


# The signed-in user of a recruiter's page (admins pass too); one definition for every page.
RecruiterUser = Annotated[WebUser, Depends(require_role("recruiter"))]


def field_errors(errors: list[FieldError]) -> dict[str, str]:
    """Errors by field name (the first per field), for the form macros."""
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(error.field or "", error.message)
    return found


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """The page ``template`` with ``context``, the signed-in user, the navigation and any
    flash message (shown once)."""
    user: WebUser | None = getattr(request.state, "web_user", None)
    flash = unquote(request.cookies.get(FLASH_COOKIE, ""))
    body = templates.get_template(template).render(
        {
            "user": user,
            "csrf_token": user.csrf_token if user else "",
            "nav": [(p, label) for p, label, _roles in AREAS if user and user.may(p)],
            "current_path": request.url.path,
            "flash": flash,
            **(context or {}),
        }
    )
    response = HTMLResponse(body, status_code=status_code)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(url: str, *, flash: str = "") -> RedirectResponse:
    """A 303 to ``url`` (post/redirect/get), with ``flash`` shown on the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE, quote(flash), max_age=60, path="/", httponly=True, samesite="lax"
        )
    return response


def safe_next(path: str | None, default: str = "/") -> str:
    """``path`` when it is a local path (no open redirect to another site), else ``default``."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    return path
