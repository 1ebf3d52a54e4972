"""Campaign plans and organisations' tier-mix overrides."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdType, JsonType, utcnow

__all__ = ["CampaignPlan", "TierMixOverride"]


class CampaignPlan(Base):
    """A plan made for a campaign: the inputs, the result (the planner's JSON) and the HTML
    report as it was when made, so a plan can later be compared with what happened."""

    __tablename__ = "campaign_plans"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    objective: Mapped[str] = mapped_column(String(30))
    budget: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    html: Mapped[str] = mapped_column(Text)
    csv: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TierMixOverride(Base):
    """An organisation's own budget split across tiers for one objective."""

    __tablename__ = "tier_mix_overrides"
    __table_args__ = (UniqueConstraint("organization_id", "objective"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    objective: Mapped[str] = mapped_column(String(30))
    mix: Mapped[dict[str, float]] = mapped_column(JsonType)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
