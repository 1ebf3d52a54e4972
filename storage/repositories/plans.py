"""Queries on campaign plans and tier-mix overrides."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFoundError
from models import CampaignPlan, TierMixOverride

__all__ = ["PlanRepository"]


class PlanRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_or_raise(self, organization_id: int, plan_id: int) -> CampaignPlan:
        plan = self.session.scalar(
            select(CampaignPlan).where(
                CampaignPlan.organization_id == organization_id, CampaignPlan.id == plan_id
            )
        )
        if plan is None:
            raise NotFoundError(f"plan {plan_id} not found")
        return plan

    def for_campaign(self, organization_id: int, campaign_id: int) -> list[CampaignPlan]:
        return list(
            self.session.scalars(
                select(CampaignPlan)
                .where(
                    CampaignPlan.organization_id == organization_id,
                    CampaignPlan.campaign_id == campaign_id,
                )
                .order_by(CampaignPlan.id)
            )
        )

    def add(self, plan: CampaignPlan) -> CampaignPlan:
        self.session.add(plan)
        self.session.flush()
        return plan

    def mixes(self, organization_id: int) -> dict[str, dict[str, float]]:
        return {
            row.objective: dict(row.mix)
            for row in self.session.scalars(
                select(TierMixOverride).where(TierMixOverride.organization_id == organization_id)
            )
        }

    def mix_row(self, organization_id: int, objective: str) -> TierMixOverride | None:
        return self.session.scalar(
            select(TierMixOverride).where(
                TierMixOverride.organization_id == organization_id,
                TierMixOverride.objective == objective,
            )
        )

    def put_mix(self, organization_id: int, objective: str, mix: dict[str, float]) -> None:
        row = self.mix_row(organization_id, objective)
        if row is None:
            self.session.add(
                TierMixOverride(organization_id=organization_id, objective=objective, mix=mix)
            )
        else:
            row.mix = mix
        self.session.flush()

    def delete_mix(self, organization_id: int, objective: str) -> bool:
        row = self.mix_row(organization_id, objective)
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True
