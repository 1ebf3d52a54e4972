"""Request dependencies: the database session (one unit of work per request) and the
authenticated principal with its organisation and scopes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from accounts.service import AccountService
from core.errors import AuthenticationError, PermissionDeniedError
from core.settings import Settings
from storage.database import Database

__all__ = ["Principal", "SessionDep", "SettingsDep", "get_database", "require_scope"]


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """One session per request: committed when the handler returns, rolled back on error."""
    with database.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key, its organisation and its scopes."""

    key_id: int
    key_prefix: str
    organization_id: int
    scopes: tuple[str, ...]

    @property
    def actor(self) -> str:
        """How the audit trail names this caller."""
        return f"api-key:{self.key_prefix}"


_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer cm_...`")


def _authenticate(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials.strip():
        raise AuthenticationError("send an API key as 'Authorization: Bearer <key>'")
    accounts: AccountService = request.app.state.accounts
    key = accounts.authenticate(session, credentials.credentials.strip())
    return Principal(
        key_id=key.id,
        key_prefix=key.prefix,
        organization_id=key.organization_id,
        scopes=tuple(key.scopes),
    )


def require_scope(scope: str) -> Callable[..., Principal]:
    """A dependency that authenticates the caller and checks that its key carries ``scope``."""

    def dependency(principal: Annotated[Principal, Depends(_authenticate)]) -> Principal:
        if scope not in principal.scopes and "admin" not in principal.scopes:
            raise PermissionDeniedError(f"this API key lacks the {scope!r} scope")
        return principal

    return dependency


ReadPrincipal = Annotated[Principal, Depends(require_scope("read"))]
WritePrincipal = Annotated[Principal, Depends(require_scope("write"))]
CompliancePrincipal = Annotated[Principal, Depends(require_scope("compliance"))]
