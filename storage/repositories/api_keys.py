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

    def list_for(self, organization_id: int) -> list[ApiKey]:
        stmt = select(ApiKey).where(ApiKey.organization_id == organization_id).order_by(ApiKey.id)
        return list(self.session.scalars(stmt))

    def get(self, organization_id: int, key_id: int) -> ApiKey | None:
        return self.session.scalar(
            select(ApiKey).where(ApiKey.organization_id == organization_id, ApiKey.id == key_id)
        )

    def add(self, key: ApiKey) -> ApiKey:
        self.session.add(key)
        self.session.flush()
        return key
