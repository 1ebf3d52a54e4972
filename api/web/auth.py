"""Signing in and out, the home redirect and the admin's user list."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accounts.service import AccountService
from accounts.throttle import SignInThrottle
from accounts.users import SESSION_LIFETIME, UserService
from api.deps import SessionDep
from api.schemas.common import IdPath
from api.web.pages import (
    AREAS,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    FormUser,
    PageUser,
    WebUser,
    field_errors,
    redirect,
    render,
    require_role,
    safe_next,
    secure_cookies,
)
from core.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
)
from models import ROLES

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# Failed sign-ins a minute from one client for one e-mail address, and from one client
# for any address (see accounts.throttle).
LOGIN_ATTEMPTS_PER_MINUTE = 10
LOGIN_FAILURES_PER_CLIENT_PER_MINUTE = 30


def _landing(user: WebUser) -> str:
    """The first area the user's role sees."""
    for path, _label, roles in AREAS:
        if user.role in roles:
            return path
    return "/login"


@router.get("/")
def home(user: PageUser) -> RedirectResponse:
    return redirect(_landing(user))


def _login_form(
    request: Request, *, next_path: str, email: str = "", error: str = "", status_code: int = 200
) -> HTMLResponse:
    # Before there is a session, the form is protected by a double-submit token: a random
    # value in a SameSite cookie that the form must echo.
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        {"login_csrf": token, "next": next_path, "email": email, "error": error},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/login",
        max_age=3600,
    )
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return _login_form(request, next_path=safe_next(next))


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    next_path = safe_next(next)
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _login_form(
            request,
            next_path=next_path,
            email=email,
            error="The sign-in form expired. Please try again.",
            status_code=403,
        )
    if not email.strip() or not password:
        return _login_form(
            request,
            next_path=next_path,
            email=email,
            error="Enter your e-mail address and your password.",
            status_code=422,
        )
    throttle: SignInThrottle = request.app.state.signin_throttle
    client = request.client.host if request.client else "unknown"
    refusal = throttle.check(email, client)
    if refusal is not None:
        where = "from your network" if refusal.reason == "client" else "for this address"
        refused = _login_form(
            request,
            next_path=next_path,
            email=email,
            error=f"Too many sign-in attempts {where}: try again in {refusal.retry_after} seconds.",
            status_code=429,
        )
        refused.headers["Retry-After"] = str(refusal.retry_after)
        return refused
    try:
        logged_in = UserService().login(session, email, password)
    except AuthenticationError:
        throttle.failed(email, client)
        return _login_form(
            request,
            next_path=next_path,
            email=email,
            error="Wrong e-mail or password.",
            status_code=401,
        )
    throttle.succeeded(email, client)
    response = redirect(next_path)
    response.set_cookie(
        SESSION_COOKIE,
        logged_in.token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(user: FormUser, session: SessionDep) -> RedirectResponse:
    UserService().end_session(session, user.session_id)
    response = redirect("/login", flash="You are signed out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


AdminUser = Annotated[WebUser, Depends(require_role("admin"))]


@router.get("/users")
def users_page(request: Request, user: AdminUser, session: SessionDep) -> HTMLResponse:
    return _users(request, session, user)


def _users(
    request: Request,
    session: SessionDep,
    user: WebUser,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "users.html",
        {
            "users": UserService().members(session, user.organization_id),
            "roles": ROLES,
            "errors": errors or {},
            "form": form or {"email": "", "name": "", "role": "recruiter"},
        },
        status_code=status_code,
    )


@router.post("/users", response_model=None)
def create_user(
    request: Request,
    user: FormUser,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "recruiter",
    password: Annotated[str, Form()] = "",
) -> Response:
    require_role("admin")(user)
    accounts: AccountService = request.app.state.accounts
    organization = accounts.organization(session, user.organization_id)
    assert organization is not None
    form = {"email": email, "name": name, "role": role}
    try:
        created = UserService().create(
            session, organization, email=email, password=password, role=role, name=name
        )
    except InvalidInputError as exc:
        return _users(
            request, session, user, errors=field_errors(exc.errors), form=form, status_code=422
        )
    except ConflictError as exc:
        return _users(
            request, session, user, errors={"email": exc.message}, form=form, status_code=409
        )
    return redirect("/users", flash=f"Added {created.email} as a {created.role}.")


@router.post("/users/{user_id}/disable", response_model=None)
def disable_user(user_id: IdPath, user: FormUser, session: SessionDep) -> Response:
    return _set_disabled(session, user, user_id, disabled=True)


@router.post("/users/{user_id}/enable", response_model=None)
def enable_user(user_id: IdPath, user: FormUser, session: SessionDep) -> Response:
    return _set_disabled(session, user, user_id, disabled=False)


def _set_disabled(session: SessionDep, user: WebUser, user_id: int, *, disabled: bool) -> Response:
    require_role("admin")(user)
    users = UserService()
    target = users.find(session, user.organization_id, user_id)
    actor = users.find(session, user.organization_id, user.id)
    if target is None or actor is None:
        raise NotFoundError(f"user {user_id} not found")
    try:
        users.set_disabled(session, actor, target, disabled=disabled)
    except InvalidInputError as exc:
        return redirect("/users", flash=exc.errors[0].message.capitalize() + ".")
    state = "disabled: they are signed out and cannot sign in" if disabled else "enabled again"
    return redirect("/users", flash=f"{target.email} is {state}.")


@router.get("/account")
def account_page(request: Request, user: PageUser) -> HTMLResponse:
    return render(request, "account.html", {"errors": {}})


@router.post("/account/password", response_model=None)
def change_password(
    request: Request,
    user: FormUser,
    session: SessionDep,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
) -> Response:
    person = UserService().find(session, user.organization_id, user.id)
    if person is None:
        raise NotFoundError(f"user {user.id} not found")
    try:
        if new_password != confirm_password:
            raise InvalidInputError.for_field(
                "confirm_password", "the two new passwords are not the same"
            )
        UserService().change_password(
            session,
            person,
            current=current_password,
            new=new_password,
            keep_session_id=user.session_id,
        )
    except InvalidInputError as exc:
        errors = field_errors(exc.errors)
        if "password" in errors:  # the service names the new one "password"
            errors["new_password"] = errors.pop("password")
        return render(request, "account.html", {"errors": errors}, status_code=422)
    return redirect("/account", flash="Your password is changed; your other sessions ended.")
