"""Campaign plan and tier-mix schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import RequestModel
from api.schemas.matching import Objective
from models import CampaignPlan

__all__ = ["MixIn", "PlanIn", "PlanRead"]


class PlanIn(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"budget": 20000, "objective": "conversions"}]},
    )

    budget: float | None = Field(
        default=None, gt=0, le=100_000_000, description="Default: the campaign's budget"
    )
    objective: Objective | None = Field(default=None, description="Default: the campaign's")
    candidates: int = Field(
        default=100, ge=1, le=200, description="How many of the matcher's top creators to weigh"
    )
    max_overlap: float | None = Field(
        default=0.8,
        ge=0,
        le=1,
        description="Two creators whose audiences overlap more are never both chosen",
    )
    max_share_of_tier: float = Field(
        default=0.5, gt=0, le=1, description="The most of a tier's budget one creator may take"
    )


class PlanRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "campaign_id": 7,
                    "objective": "conversions",
                    "budget": "20000.00",
                    "currency": "USD",
                    "created_at": "2027-01-05T10:00:00Z",
                    "plan": {"objective": "conversions", "chosen": [], "totals": {}},
                }
            ]
        }
    )

    id: int
    campaign_id: int
    objective: str
    budget: str
    currency: str
    created_at: datetime
    plan: dict[str, Any]

    @classmethod
    def from_row(cls, row: CampaignPlan) -> PlanRead:
        return cls(
            id=row.id,
            campaign_id=row.campaign_id,
            objective=row.objective,
            budget=str(row.budget),
            currency=row.currency,
            created_at=row.created_at,
            plan=row.result,
        )


class MixIn(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"mix": {"micro": 0.6, "mid": 0.3, "mega": 0.1}}]},
    )

    mix: dict[str, float] = Field(description="Tier -> share of the budget; shares sum to 1")
