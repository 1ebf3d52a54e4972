"""Organisations and API keys.

A key looks like ``cm_<prefix>_<secret>``. Only an HMAC-SHA256 of the whole key (keyed with
``CREATORMATCH_API_KEY_PEPPER``) is stored; the prefix finds the row, and the HMAC is compared
in constant time. The key itself is shown once, when it is created.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.errors import AuthenticationError, ConflictError, InvalidInputError
from models import SCOPES, ApiKey, Organization, utcnow
from storage.repositories import ApiKeyRepository, OrganizationRepository

# The fields of a key that PATCH /v1/keys/{id} may change.
_KEY_FIELDS = frozenset({"name", "rate_limit_per_minute"})

__all__ = ["AccountService", "CreatedKey", "parse_scopes"]

# last_used_at is written at most this often per key, so reads do not become writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedKey:
    """A new key: ``secret`` is the full key, shown once and never stored."""

    key: ApiKey
    secret: str


def parse_scopes(text: str | list[str]) -> list[str]:
    """Validate scopes given as ``read,write`` or a list; raise naming the bad one."""
    items = text.split(",") if isinstance(text, str) else text
    scopes = [s.strip().lower() for s in items if s.strip()]
    if not scopes:
        raise InvalidInputError.for_field("scopes", f"give at least one scope of {list(SCOPES)}")
    for scope in scopes:
        if scope not in SCOPES:
            raise InvalidInputError.for_field(
                "scopes", f"unknown scope {scope!r}; use {list(SCOPES)}", value=scope
            )
    return list(dict.fromkeys(scopes))


class AccountService:
    def __init__(self, pepper: str) -> None:
        self._pepper = pepper.encode("utf-8")

    def hash_key(self, key: str) -> str:
        return hmac.new(self._pepper, key.encode("utf-8"), hashlib.sha256).hexdigest()

    def create_organization(self, session: Session, name: str) -> Organization:
        name = name.strip()
        if not name:
            raise InvalidInputError.for_field("name", "an organisation needs a name")
        repo = OrganizationRepository(session)
        if repo.get_by_name(name) is not None:
            raise ConflictError(f"organisation {name!r} already exists")
        return repo.add(Organization(name=name))

    def organization(self, session: Session, organization_id: int) -> Organization | None:
        return OrganizationRepository(session).get(organization_id)

    def key(self, session: Session, organization_id: int, key_id: int) -> ApiKey | None:
        """A key of the organisation that is not revoked (a revoked key is gone: None)."""
        return ApiKeyRepository(session).get(organization_id, key_id)

    def keys(
        self, session: Session, organization_id: int, *, include_revoked: bool = False
    ) -> list[ApiKey]:
        """The organisation's keys in id order; revoked ones only when asked for."""
        return ApiKeyRepository(session).list_for(organization_id, include_revoked=include_revoked)

    def get_or_create_organization(self, session: Session, name: str) -> Organization:
        existing = OrganizationRepository(session).get_by_name(name.strip())
        return existing or self.create_organization(session, name)

    def create_key(
        self, session: Session, organization: Organization, scopes: list[str], *, name: str = ""
    ) -> CreatedKey:
        prefix = secrets.token_hex(5)
        secret = f"cm_{prefix}_{secrets.token_urlsafe(32)}"
        key = ApiKey(
            organization_id=organization.id,
            name=name,
            prefix=prefix,
            key_hash=self.hash_key(secret),
            scopes=parse_scopes(scopes),
        )
        ApiKeyRepository(session).add(key)
        return CreatedKey(key=key, secret=secret)

    def authenticate(self, session: Session, secret: str) -> ApiKey:
        """The live key for ``secret``, or :class:`AuthenticationError` (one message for
        every failure, so a caller learns nothing about which part was wrong)."""
        # "cm_<hex prefix>_<token_urlsafe>": the token may itself hold "_" (or start with it)
        parts = secret.split("_", 2)
        if len(parts) != 3 or parts[0] != "cm" or not parts[2]:
            raise AuthenticationError("invalid API key")
        key = ApiKeyRepository(session).get_by_prefix(parts[1])
        if key is None or not hmac.compare_digest(key.key_hash, self.hash_key(secret)):
            raise AuthenticationError("invalid API key")
        now = utcnow()
        if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
            raise AuthenticationError("invalid API key")
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            key.last_used_at = now
        return key

    def revoke_key(self, session: Session, key: ApiKey) -> None:
        key.revoked_at = utcnow()
        session.flush()

    def update_key(self, session: Session, key: ApiKey, changes: Mapping[str, object]) -> ApiKey:
        """Rename a key or change its rate limit: ``changes`` holds only the fields given
        (``name``, ``rate_limit_per_minute``); a null name keeps the name, a null rate limit
        means the server's default."""
        for name, value in changes.items():
            if name not in _KEY_FIELDS:
                raise InvalidInputError.for_field(name, "is not a field of a key that can change")
            if name == "name" and value is None:
                continue
            setattr(key, name, value)
        session.flush()
        return key

    def rotate_key(
        self, session: Session, key: ApiKey, *, overlap: timedelta, now: datetime | None = None
    ) -> CreatedKey:
        """A new key with the same name, scopes and rate limit; the old one keeps working for
        ``overlap`` (so deployments can switch over), then stops."""
        if key.revoked_at is not None:
            raise ConflictError("a revoked key cannot be rotated")
        if overlap < timedelta(0) or overlap > timedelta(days=30):
            raise InvalidInputError.for_field(
                "overlap_hours", "between 0 and 720 hours", value=overlap.total_seconds() / 3600
            )
        organization = session.get(Organization, key.organization_id)
        assert organization is not None
        created = self.create_key(session, organization, list(key.scopes), name=key.name)
        created.key.rate_limit_per_minute = key.rate_limit_per_minute
        created.key.rotated_from_id = key.id
        expires = (now or utcnow()) + overlap
        key.expires_at = expires if key.expires_at is None else min(key.expires_at, expires)
        session.flush()
        return created
