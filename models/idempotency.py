"""Stored responses of POST requests sent with an ``Idempotency-Key`` header."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdType, JsonType, utcnow

__all__ = ["IdempotencyRecord"]


class IdempotencyRecord(Base):
    """One (caller, key): the request's fingerprint and, once done, its response. ``owner``
    is an HMAC of the API key that sent it, so a key's records are only ever replayed to
    that key. ``status_code`` is None while the first request is still running;
    ``lease_until`` is kept ahead by the process running it, so a record whose owner died
    can be taken over."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[list[list[str]]] = mapped_column(JsonType, default=list)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    completed_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
