"""Planning a campaign on the database: the matcher's ranking becomes the planner's
candidates, the organisation's tier mixes apply, the plan and its HTML report are stored.

The planner itself (:mod:`planner`) is pure; this module feeds it: up to ``candidates``
creators ranked for the campaign's brief with the campaign's filters (excluded, contacted and
opted-out creators never appear), each with its follower count, engagement rate, the cost of
a post from its rates (converted into the plan's currency at the fixed rates of
:data:`matcher.scoring.FX_TO_USD`, else left to the tier benchmark), its audience (for the
overlap constraint), match score and reasons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from campaigns.service import CampaignService
from core.errors import ConflictError, InvalidInputError, NotFoundError
from matcher.brief import Brief
from matcher.ranking import MatchHit
from matcher.scoring import FX_TO_USD, cost_efficiency
from matcher.service import MatchFilters, MatchService
from models import CampaignPlan, utcnow
from planner import Candidate, Plan, mix_for, plan
from planner.learning import LearningResult, fit_outcome_model
from planner.mixes import apply_overrides
from planner.report import plan_to_dict, render_csv, render_html
from programs.outcomes import observations_for
from storage.repositories.plans import PlanRepository

__all__ = [
    "CampaignCurrencyError",
    "CampaignWithoutBudgetError",
    "PlanRequest",
    "PlanningService",
    "candidates_from_hits",
]

MAX_CANDIDATES = 200


class CampaignCurrencyError(ConflictError):
    """A plan for a campaign in a currency without an exchange rate, for candidates without a
    rate of their own (409: they are costed from USD benchmarks; set the campaign's currency
    to one of matcher.scoring.FX_TO_USD)."""

    def __init__(self, campaign_id: int, currency: str) -> None:
        rates = ", ".join(sorted(FX_TO_USD))
        super().__init__(
            f"campaign {campaign_id} is in {currency}, which has no exchange rate for the USD "
            f"cost benchmarks: plan in one of {rates} (PATCH /v1/campaigns/{{id}})"
        )
        self.campaign_id = campaign_id
        self.currency = currency


class CampaignWithoutBudgetError(ConflictError):
    """A plan without a ``budget`` for a campaign that has none (409: the request is fine,
    the campaign lacks what it leaves to it)."""

    def __init__(self, campaign_id: int) -> None:
        super().__init__(
            f"campaign {campaign_id} has no budget: give one in the request or set the "
            "campaign's (PATCH /v1/campaigns/{id})"
        )
        self.campaign_id = campaign_id


@dataclass(frozen=True)
class PlanRequest:
    budget: float | None = None
    objective: str | None = None
    candidates: int = 100
    max_overlap: float | None = 0.8
    max_share_of_tier: float = 0.5


def _rate(record: Mapping[str, Any], currency: str) -> float | None:
    """The creator's own cost of a post in ``currency`` (None: no rates, or no fixed FX)."""
    details = cost_efficiency(record, None).details
    if not str(details.get("cost_source", "")).startswith("rates"):
        return None
    usd = details.get("cost_per_post_usd")
    if usd is None or currency not in FX_TO_USD:
        return None
    return float(usd) / FX_TO_USD[currency]


def _fx(currency: str) -> float | None:
    """Units of ``currency`` per US dollar at the fixed rates (None when unknown)."""
    usd = FX_TO_USD.get(currency)
    return None if usd is None else 1 / usd


def candidates_from_hits(hits: Sequence[MatchHit], currency: str) -> list[Candidate]:
    out = []
    for hit in hits:
        c = hit.creator
        if c.get("followers") is None:
            continue  # the planner needs a follower count to project anything
        out.append(
            Candidate(
                id=int(c["id"]),
                handle=str(c["handle"]),
                platform=str(c["platform"]),
                followers=int(c["followers"]),
                engagement_rate=c.get("engagement_rate"),
                rate=_rate(c, currency),
                match_score=hit.score,
                tier=hit.tier,
                display_name=c.get("display_name"),
                audience=c.get("audience"),
                reasons=tuple(hit.top_reasons(3)),
            )
        )
    return out


class PlanningService:
    def __init__(self, matcher: MatchService) -> None:
        self.matcher = matcher
        # The learning step of the last plan: which estimates were used, and why.
        self.last_learning: LearningResult | None = None

    def learning_dict(self) -> dict[str, Any]:
        """The learning step for the stored plan: per target, the CV errors and whether the
        model replaced the benchmarks."""
        learned = self.last_learning
        if learned is None:
            return {"source": "benchmarks", "reason": "no learning step ran"}
        return {
            "source": "model" if learned.model is not None else "benchmarks",
            "reason": learned.reason,
            "engagement": learned.engagement.describe() if learned.engagement else None,
            "conversion": learned.conversion.describe() if learned.conversion else None,
        }

    def estimates_note(self) -> str:
        """Which estimates the last plan used (benchmarks or a learned model), and why."""
        learned = self.last_learning
        if learned is None:
            return "tier benchmarks"
        return learned.reason

    def plans(self, session: Session, organization_id: int, campaign_id: int) -> list[CampaignPlan]:
        """The plans made for a campaign, oldest first."""
        return PlanRepository(session).for_campaign(organization_id, campaign_id)

    def plan(
        self,
        session: Session,
        organization_id: int,
        plan_id: int,
        *,
        campaign_id: int | None = None,
    ) -> CampaignPlan:
        """One stored plan; with ``campaign_id``, a plan of another campaign is not found."""
        found = PlanRepository(session).get_or_raise(organization_id, plan_id)
        if campaign_id is not None and found.campaign_id != campaign_id:
            raise NotFoundError(f"plan {plan_id} not found")
        return found

    def mixes(self, session: Session, organization_id: int) -> dict[str, dict[str, float]]:
        """The organisation's mixes: the defaults with its overrides applied."""
        overrides = PlanRepository(session).mixes(organization_id)
        return {o.value: m.as_dict() for o, m in apply_overrides(overrides).items()}

    def set_mix(
        self, session: Session, organization_id: int, objective: str, mix: Mapping[str, float]
    ) -> dict[str, float]:
        repo = PlanRepository(session)
        overrides = {**repo.mixes(organization_id), objective: dict(mix)}
        validated = mix_for(objective, overrides)  # raises naming mix.<objective>.<tier>
        repo.put_mix(organization_id, objective, dict(mix))
        return validated.as_dict()

    def reset_mix(self, session: Session, organization_id: int, objective: str) -> None:
        mix_for(objective)  # an unknown objective is a 422, not a silent no-op
        PlanRepository(session).delete_mix(organization_id, objective)

    def make_plan(
        self,
        session: Session,
        organization_id: int,
        brief: Brief,
        filters: MatchFilters,
        request: PlanRequest,
        *,
        budget: float,
        currency: str,
        now: datetime | None = None,
    ) -> Plan:
        """Rank, then plan (nothing stored)."""
        if not 1 <= request.candidates <= MAX_CANDIDATES:
            raise InvalidInputError.for_field(
                "candidates", f"between 1 and {MAX_CANDIDATES}", value=request.candidates
            )
        objective = request.objective or (brief.objective.value if brief.objective else None)
        if objective is None:
            raise InvalidInputError.for_field(
                "objective", "the brief names no objective; give one (e.g. conversions)"
            )
        page = self.matcher.match(
            session,
            organization_id,
            brief,
            filters=filters,
            k=request.candidates,
            now=now,
            build=False,
        )
        overrides = PlanRepository(session).mixes(organization_id)
        learned = fit_outcome_model(observations_for(session, organization_id))
        self.last_learning = learned
        return plan(
            candidates_from_hits(page.hits, currency),
            budget=budget,
            objective=objective,
            mix=mix_for(objective, overrides),
            currency=currency,
            fx=_fx(currency),
            max_overlap=request.max_overlap,
            max_share_of_tier=request.max_share_of_tier,
            model=learned.model,
        )

    def plan_campaign(
        self,
        session: Session,
        organization_id: int,
        campaign_id: int,
        request: PlanRequest,
        *,
        now: datetime | None = None,
    ) -> CampaignPlan:
        """Plan a stored campaign and keep the plan and its report."""
        campaigns = CampaignService()
        campaign = campaigns.get(session, organization_id, campaign_id)
        inputs = campaigns.match_inputs(session, organization_id, campaign_id)
        budget = request.budget
        if budget is None:
            if campaign.budget is None:
                raise CampaignWithoutBudgetError(campaign_id)
            budget = float(campaign.budget)
        try:
            result = self.make_plan(
                session,
                organization_id,
                inputs.brief,
                inputs.filters,
                PlanRequest(
                    **{**vars(request), "objective": request.objective or campaign.objective}
                ),
                budget=budget,
                currency=campaign.currency,
                now=now,
            )
        except InvalidInputError as exc:
            # Candidates without a rate of their own are costed from the USD benchmarks.
            if any(error.field == "fx" for error in exc.errors):
                raise CampaignCurrencyError(campaign_id, campaign.currency) from None
            raise
        made_at = now or utcnow()
        return PlanRepository(session).add(
            CampaignPlan(
                organization_id=organization_id,
                campaign_id=campaign.id,
                objective=result.objective.value,
                budget=Decimal(str(budget)).quantize(Decimal("0.01")),
                currency=campaign.currency,
                result={**plan_to_dict(result), "estimates": self.learning_dict()},
                html=render_html(
                    result,
                    campaign=campaign.name,
                    generated_at=made_at,
                    estimates_note=self.estimates_note(),
                ),
                csv=render_csv(result),
                created_at=made_at,
            )
        )
