"""Creators: one row per (organisation, platform, handle)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.tiers import Tier, tier_for_followers
from models.base import Base, IdType, JsonType, utcnow

__all__ = ["Creator"]


class Creator(Base):
    __tablename__ = "creators"
    __table_args__ = (
        UniqueConstraint("organization_id", "platform", "handle"),
        Index("ix_creators_org_followers", "organization_id", "followers"),
        Index("ix_creators_org_country", "organization_id", "country"),
        # An import batch queues its rows for encoding by their modified_at stamp.
        Index("ix_creators_org_modified", "organization_id", "modified_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str | None] = mapped_column(Text)
    profile_url: Mapped[str | None] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(2))
    followers: Mapped[int | None] = mapped_column(BigInteger)
    avg_likes: Mapped[float | None] = mapped_column(Float)
    avg_comments: Mapped[float | None] = mapped_column(Float)
    avg_views: Mapped[float | None] = mapped_column(Float)
    posts_per_month: Mapped[float | None] = mapped_column(Float)
    engagement_rate: Mapped[float | None] = mapped_column(Float)
    engagement_rate_computed: Mapped[bool] = mapped_column(default=False)
    categories: Mapped[list[str]] = mapped_column(JsonType, default=list)
    # "|beauty|skincare|": lets a category filter be a portable LIKE on both databases.
    category_key: Mapped[str] = mapped_column(Text, default="")
    recent_posts: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    audience: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    rates: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    email: Mapped[str | None] = mapped_column(String(320))
    is_virtual: Mapped[bool] = mapped_column(default=False)
    brands_mentioned: Mapped[list[str]] = mapped_column(JsonType, default=list)
    source: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None]
    # sha256 of the canonical record: an import that changes nothing writes nothing.
    record_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def tier(self) -> Tier | None:
        """The tier from the follower count (None when the count is unknown)."""
        return tier_for_followers(self.followers)
