"""Campaign plan and tier-mix schemas."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas.common import RequestModel
from api.schemas.matching import Objective
from core.tiers import Tier
from models import CampaignPlan

__all__ = ["MixIn", "PlanIn", "PlanRead", "TierShares"]


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


Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class TierShares(RequestModel):
    """A share of the budget per tier, each in [0, 1]; a tier left out gets none. At least
    one share is above 0. The shares are scaled to sum to 1 (0.6, 0.3 and 0.1 stay as they
    are; 0.6 and 0.3 become 2/3 and 1/3)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {
                    "required": [tier.value],
                    "properties": {tier.value: {"type": "number", "exclusiveMinimum": 0}},
                }
                for tier in Tier
            ]
        },
    )

    emerging: Share | None = None
    nano: Share | None = None
    micro: Share | None = None
    mid: Share | None = None
    macro: Share | None = None
    mega: Share | None = None

    @model_validator(mode="after")
    def _some_budget(self) -> TierShares:
        if not any(self.given().values()):
            raise ValueError("give at least one tier a share above 0")
        return self

    def given(self) -> dict[str, float]:
        return {tier: share for tier, share in self.model_dump().items() if share is not None}

    def normalised(self) -> dict[str, float]:
        """The given shares scaled to sum to 1."""
        shares = self.given()
        total = math.fsum(shares.values())
        return {tier: share / total for tier, share in shares.items()}


class MixIn(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"mix": {"micro": 0.6, "mid": 0.3, "mega": 0.1}}]},
    )

    mix: TierShares = Field(description="Tier -> share of the budget, scaled to sum to 1")
