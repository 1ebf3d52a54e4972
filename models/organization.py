"""Organisations (the tenants) and their API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, IdType, JsonType, utcnow

__all__ = ["SCOPES", "ApiKey", "Organization"]

# admin implies every other scope.
SCOPES: tuple[str, ...] = ("read", "write", "compliance", "admin")


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    api_keys: Mapped[list[ApiKey]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", passive_deletes=True
    )


class ApiKey(Base):
    """An API key. Only an HMAC of the secret is stored; the key itself is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    # The public part of the key (``cm_<prefix>_...``), used to find the row.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # A rotated key keeps working until expires_at (the overlap), then stops.
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    # Requests a minute this key may make; None = the CREATORMATCH_RATE_LIMIT_PER_MINUTE default.
    rate_limit_per_minute: Mapped[int | None] = mapped_column(default=None)
    rotated_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), default=None
    )

    organization: Mapped[Organization] = relationship(back_populates="api_keys")

    def grants(self, scope: str) -> bool:
        """True when this key carries ``scope`` (``admin`` carries every scope)."""
        return scope in self.scopes or "admin" in self.scopes
