"""Brands and their campaigns."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdType, JsonType, utcnow

__all__ = ["OBJECTIVES", "Brand", "Campaign"]

OBJECTIVES: tuple[str, ...] = (
    "awareness",
    "launch",
    "pr",
    "consideration",
    "conversions",
    "community",
    "niche_product",
    "trusted_reviews",
)


class Brand(Base):
    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(500))
    categories: Mapped[list[str]] = mapped_column(JsonType, default=list)
    competitors: Mapped[list[str]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    brand_id: Mapped[int | None] = mapped_column(
        ForeignKey("brands.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    brief: Mapped[str] = mapped_column(Text, default="")
    objective: Mapped[str] = mapped_column(String(30), default="conversions")
    # The match request's target shape: {"age": ["25-34"] | {"25-34": 1.0},
    #  "genders": ["female"], "countries": ["US"], "interests": [...]}.
    target_audience: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    platforms: Mapped[list[str]] = mapped_column(JsonType, default=list)
    countries: Mapped[list[str]] = mapped_column(JsonType, default=list)
    languages: Mapped[list[str]] = mapped_column(JsonType, default=list)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    excluded_creator_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    competitor_brands: Mapped[list[str]] = mapped_column(JsonType, default=list)
    # Brand-safety categories to check (matcher.scoring.BRAND_SAFETY_KEYWORDS); empty = the
    # categories the brief's own wording does not contradict.
    brand_safety: Mapped[list[str]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
