"""``/v1/keys``: the organisation's API keys (admin scope): create, list, rotate with an
overlap, change the rate limit, revoke. A key's secret is shown once, when it is made.

A revoked key is gone: reading, changing, rotating or revoking it again is a 404, as for a key
that never existed; only ``GET /v1/keys?include_revoked=true`` still lists it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from accounts.service import AccountService
from api.deps import AdminPrincipal, SessionDep
from api.schemas.common import IdPath
from api.schemas.keys import KeyCreate, KeyCreated, KeyRead, KeyRotate, KeyUpdate
from core.errors import ConflictError, NotFoundError
from models import ApiKey

router = APIRouter(prefix="/v1/keys", tags=["keys"])


def _accounts(request: Request) -> AccountService:
    accounts: AccountService = request.app.state.accounts
    return accounts


def _key(request: Request, session: SessionDep, organization_id: int, key_id: int) -> ApiKey:
    # The service returns no revoked key: a revoked key is a 404 on every route.
    key = _accounts(request).key(session, organization_id, key_id)
    if key is None:
        raise NotFoundError(f"API key {key_id} not found")
    return key


def _created(key: ApiKey, secret: str) -> KeyCreated:
    return KeyCreated(**KeyRead.from_row(key).model_dump(), secret=secret)


@router.get("", response_model=list[KeyRead])
def list_keys(
    request: Request,
    principal: AdminPrincipal,
    session: SessionDep,
    include_revoked: Annotated[
        bool, Query(description="Also list the revoked keys (with their `revoked_at`)")
    ] = False,
) -> list[KeyRead]:
    """The organisation's keys that are not revoked (all of them with
    ``include_revoked=true``), with their last use; secrets are never shown."""
    keys = _accounts(request).keys(
        session, principal.organization_id, include_revoked=include_revoked
    )
    return [KeyRead.from_row(k) for k in keys]


@router.get("/{key_id}", response_model=KeyRead)
def get_key(
    key_id: IdPath, request: Request, principal: AdminPrincipal, session: SessionDep
) -> KeyRead:
    """One key that is not revoked, with its last use; the secret is never shown."""
    return KeyRead.from_row(_key(request, session, principal.organization_id, key_id))


@router.post("", response_model=KeyCreated, status_code=status.HTTP_201_CREATED)
def create_key(
    body: KeyCreate, request: Request, principal: AdminPrincipal, session: SessionDep
) -> KeyCreated:
    """A new key with the given scopes (and its own rate limit); the secret is in this
    response only."""
    organization = _accounts(request).organization(session, principal.organization_id)
    assert organization is not None
    created = _accounts(request).create_key(
        session, organization, list(body.scopes), name=body.name
    )
    created.key.rate_limit_per_minute = body.rate_limit_per_minute
    session.flush()
    return _created(created.key, created.secret)


@router.patch("/{key_id}", response_model=KeyRead)
def update_key(
    key_id: IdPath,
    body: KeyUpdate,
    request: Request,
    principal: AdminPrincipal,
    session: SessionDep,
) -> KeyRead:
    """Rename a key or change its rate limit (``null``: the server's default)."""
    key = _key(request, session, principal.organization_id, key_id)
    changed = _accounts(request).update_key(session, key, body.model_dump(exclude_unset=True))
    return KeyRead.from_row(changed)


@router.post("/{key_id}/rotate", response_model=KeyCreated, status_code=status.HTTP_201_CREATED)
def rotate_key(
    key_id: IdPath,
    request: Request,
    principal: AdminPrincipal,
    session: SessionDep,
    body: KeyRotate | None = None,
) -> KeyCreated:
    """A new key with the same scopes; the old one keeps working for ``overlap_hours``."""
    key = _key(request, session, principal.organization_id, key_id)
    overlap = timedelta(hours=(body or KeyRotate()).overlap_hours)
    created = _accounts(request).rotate_key(session, key, overlap=overlap)
    return _created(created.key, created.secret)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(
    key_id: IdPath, request: Request, principal: AdminPrincipal, session: SessionDep
) -> Response:
    """Revoke at once. A key cannot revoke itself (ask another admin key), so an
    organisation never locks itself out by accident."""
    key = _key(request, session, principal.organization_id, key_id)
    if key.id == principal.key_id:
        raise ConflictError("a key cannot revoke itself; use another admin key")
    _accounts(request).revoke_key(session, key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
