"""Queries on API keys."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models import ApiKey

__all__ = ["ApiKeyRepository"]


class ApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_by_prefix(self, prefix: str) -> ApiKey | None:
        return self.session.scalar(
            select(ApiKey).options(joinedload(ApiKey.organization)).where(ApiKey.prefix == prefix)
        )

    def list_for(self, organization_id: int, *, include_revoked: bool = False) -> list[ApiKey]:
        """The organisation's keys in id order; revoked ones only when asked for."""
        stmt = select(ApiKey).where(ApiKey.organization_id == organization_id)
        if not include_revoked:
            stmt = stmt.where(ApiKey.revoked_at.is_(None))
        return list(self.session.scalars(stmt.order_by(ApiKey.id)))

    def get(self, organization_id: int, key_id: int) -> ApiKey | None:
        """A key of the organisation that is not revoked: a revoked key is gone (None)."""
        return self.session.scalar(
            select(ApiKey).where(
                ApiKey.organization_id == organization_id,
                ApiKey.id == key_id,
                ApiKey.revoked_at.is_(None),
            )
        )

    def add(self, key: ApiKey) -> ApiKey:
        self.session.add(key)
        self.session.flush()
        return key
