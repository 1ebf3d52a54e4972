"""Helpers for page tests (TestClient) and browser tests: users, signing in, CSRF tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

from accounts.users import UserService
from models import Organization
from storage.database import Database

__all__ = ["PASSWORD", "WebAccount", "csrf_of", "make_user", "sign_in"]

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class WebAccount:
    organization_id: int
    email: str
    password: str
    role: str


def make_user(
    database: Database, org: str, email: str, role: str, *, password: str = PASSWORD
) -> WebAccount:
    """A user with ``role`` in organisation ``org`` (created when missing)."""
    with database.session() as session:
        organization = session.query(Organization).filter_by(name=org).one_or_none()
        if organization is None:
            organization = Organization(name=org)
            session.add(organization)
            session.flush()
        UserService().create(session, organization, email=email, password=password, role=role)
        return WebAccount(organization.id, email, password, role)


def csrf_of(html: str) -> str:
    """The CSRF token in a page's first form."""
    found = _CSRF.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def sign_in(client: TestClient, account: WebAccount) -> str:
    """Sign ``client`` in as ``account`` through the login form; returns the session's CSRF
    token (for posting forms)."""
    form = client.get("/login")
    assert form.status_code == 200, form.text
    response = client.post(
        "/login",
        data={
            "email": account.email,
            "password": account.password,
            "csrf_token": csrf_of(form.text),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    landing = client.get(response.headers["location"])
    assert landing.status_code == 200, landing.text
    return csrf_of(landing.text)
