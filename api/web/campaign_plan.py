"""A campaign's plan page: the tier mix, the shortlist under budget and the projections,
with charts; making a plan and adding its chosen creators to the pipeline."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.schemas.common import IdPath
from api.schemas.plans import PlanIn
from api.web.campaign_common import (
    FormDep,
    campaign_of,
    campaigns,
    form_text,
    planning,
    recruiter,
    tab_context,
    validate,
)
from api.web.pages import (
    FormUser,
    RecruiterUser,
    WebUser,
    field_errors,
    outreach_service,
    redirect,
    render,
)
from campaigns.planning import (
    CampaignCurrencyError,
    CampaignWithoutBudgetError,
    PlanRequest,
)
from core.errors import FieldError, InvalidInputError
from matcher.service import IndexNotReadyError
from models import OBJECTIVES, Campaign, CampaignPlan
from planner.charts import Series, bar_chart
from planner.formatting import count, money, per_unit, percent

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# Our charts are drawn from numbers with presentation attributes only; anything that the
# pages' policy would block (or that could run) keeps a chart off the page.
_UNSAFE_SVG = re.compile(r"<script|\sstyle\s*=|\son[a-z]+\s*=|javascript:|<foreignobject", re.I)


def _safe_svg(svg: str) -> Markup | None:
    """An SVG chart of ours, marked safe for the page; None if it holds anything the page's
    policy forbids (it never should: the charts are drawn from numbers)."""
    if _UNSAFE_SVG.search(svg):
        return None
    return Markup(svg)  # noqa: S704  # drawn by planner.charts from numbers, text escaped


def plan_charts(result: Mapping[str, Any]) -> list[Markup]:
    """The plan's charts, drawn from the stored plan's numbers: the tier mix (budget and
    planned spend), budget against expected outcome, and cost per outcome, by tier."""
    tiers = result.get("tiers") or []
    cur = str(result.get("currency", ""))
    noun = str(result.get("outcome", "conversions"))
    names = [str(t["tier"]) for t in tiers]
    total = sum(float(t[noun]["expected"]) for t in tiers)
    per_key = "cost_per_engagement" if noun == "engagements" else "cost_per_acquisition"
    unit = "engagement" if noun == "engagements" else "conversion"
    priced = [(str(t["tier"]), float(t[per_key]["expected"])) for t in tiers if t.get(per_key)]
    svgs = [
        bar_chart(
            title="Tier mix: budget and planned spend",
            description=(
                "For each tier, the budget the mix gives it and the expected cost of the "
                f"creators chosen in it, in {cur}."
            ),
            categories=names,
            series=[
                Series("budget", tuple(float(t["budget"]) for t in tiers)),
                Series("planned", tuple(float(t["cost"]["expected"]) for t in tiers)),
            ],
            x_label="tier",
            y_label=cur,
            value_format=lambda v: money(v, cur),
            chart_id="tier-mix",
        ),
        bar_chart(
            title=f"Budget vs expected {noun} by tier",
            description=(
                f"For each tier, its share of the budget and its share of the expected {noun}."
            ),
            categories=names,
            series=[
                Series("share of budget", tuple(float(t["share"]) * 100 for t in tiers)),
                Series(
                    f"share of {noun}",
                    tuple(
                        float(t[noun]["expected"]) / total * 100 if total else 0.0 for t in tiers
                    ),
                ),
            ],
            x_label="tier",
            y_label="% of the plan",
            value_format=lambda v: percent(v / 100),
            chart_id="budget-vs-outcome",
        ),
        bar_chart(
            title=f"Cost per {unit} by tier",
            description=(
                f"The expected cost of each tier's chosen creators divided by their expected "
                f"{unit}s, in {cur}. Tiers with no chosen creator are left out."
            ),
            categories=[name for name, _ in priced],
            series=[Series(f"{cur} per {unit}", tuple(v for _, v in priced))],
            x_label="tier",
            y_label=f"{cur} per {unit}",
            value_format=lambda v: f"{cur} {per_unit(v)}",
            chart_id=f"cost-per-{unit}",
        ),
    ]
    return [m for m in (_safe_svg(s) for s in svgs) if m is not None]


def _range(r: Mapping[str, float] | None, fmt: Any) -> dict[str, str] | None:
    if r is None:
        return None
    return {k: str(fmt(r[k])) for k in ("low", "expected", "high")}


def _plan_view(plan: CampaignPlan, in_pipeline: set[int]) -> dict[str, Any]:
    """The stored plan's numbers, formatted for the page."""
    r = plan.result
    cur = plan.currency
    noun = str(r["outcome"])

    def cash(v: float) -> str:
        return money(v, cur)

    def row(c: Mapping[str, Any]) -> dict[str, Any]:
        p = c["projection"]
        return {
            "id": c["id"],
            "handle": c["handle"],
            "display_name": c.get("display_name"),
            "platform": c["platform"],
            "tier": c["tier"],
            "followers": count(c["followers"]),
            "match": "" if c.get("match_score") is None else f"{c['match_score']:.2f}",
            "cost": _range(p["cost"], cash),
            "outcome": _range(p[noun], count),
            "sources": p.get("sources", {}),
            "reason": c["reason"],
            "matcher_reasons": c.get("matcher_reasons", []),
            "in_pipeline": c["id"] in in_pipeline,
        }

    t = r["totals"]
    totals = [
        (
            "Creators",
            {"low": str(t["count"]), "expected": str(t["count"]), "high": str(t["count"])},
        ),
        ("Cost", _range(t["cost"], cash)),
        ("Potential reach (followers, overlap not removed)", _range(t["reach"], count)),
        ("Engagements", _range(t["engagements"], count)),
        ("Conversions", _range(t["conversions"], count)),
        (f"Cost per engagement ({cur})", _range(t.get("cost_per_engagement"), per_unit)),
        (f"Cost per conversion ({cur})", _range(t.get("cost_per_acquisition"), per_unit)),
    ]
    tiers = [
        {
            "tier": x["tier"],
            "share": percent(x["share"]),
            "budget": cash(x["budget"]),
            "cost": cash(x["cost"]["expected"]),
            "chosen": x["chosen"],
            "candidates": x["candidates"],
            "outcome": count(x[noun]["expected"]),
        }
        for x in r["tiers"]
    ]
    estimates = r.get("estimates") or {}
    return {
        "plan": plan,
        "objective": r["objective"],
        "outcome": noun,
        "budget": cash(r["budget"]),
        "spent": cash(t["cost"]["expected"]),
        "spent_share": percent(t["cost"]["expected"] / r["budget"]) if r["budget"] else "",
        "solver": r.get("solver", {}),
        "chosen": [row(c) for c in r["chosen"]],
        "not_chosen": [
            {**row(c), "reason_code": c.get("reason_code", "")} for c in r["not_chosen"][:20]
        ],
        "not_chosen_more": max(0, len(r["not_chosen"]) - 20),
        "tiers": tiers,
        "totals": [(label, rng) for label, rng in totals if rng is not None],
        "estimates": estimates,
        "charts": plan_charts(r),
    }


def _plan_page(
    request: Request,
    session: Session,
    user: WebUser,
    campaign: Campaign,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    plans = planning(request).plans(session, user.organization_id, campaign.id)
    entries = outreach_service(request).entries(
        session, user.organization_id, campaign_id=campaign.id
    )
    in_pipeline = {e.creator_id for e in entries}
    view = _plan_view(plans[-1], in_pipeline) if plans else None
    return render(
        request,
        "campaigns/plan.html",
        {
            **tab_context(session, user, campaign),
            "tab": "Plan",
            "view": view,
            "plan_count": len(plans),
            "values": values
            or {
                "objective": campaign.objective,
                "budget": "" if campaign.budget is None else str(campaign.budget),
            },
            "errors": errors or {},
            "objective_options": [(o, o.replace("_", " ")) for o in OBJECTIVES],
        },
        status_code=status_code,
    )


@router.get("/campaigns/{campaign_id}/plan", response_class=HTMLResponse)
def get_plan(
    campaign_id: IdPath, request: Request, user: RecruiterUser, session: SessionDep
) -> HTMLResponse:
    """The latest plan made for the campaign, and a form to make a new one."""
    return _plan_page(request, session, user, campaign_of(session, user, campaign_id))


@router.post("/campaigns/{campaign_id}/plan", response_model=None)
def make_plan(
    campaign_id: IdPath, request: Request, user: FormUser, session: SessionDep, form: FormDep
) -> HTMLResponse | RedirectResponse:
    """Plan the campaign (as ``POST /v1/campaigns/{id}/plan``) and store the plan."""
    recruiter(user)
    campaign = campaign_of(session, user, campaign_id)
    values = {"objective": form_text(form, "objective"), "budget": form_text(form, "budget")}
    try:
        body = validate(
            PlanIn, {"objective": values["objective"] or None, "budget": values["budget"] or None}
        )
        assert isinstance(body, PlanIn)
        planning(request).plan_campaign(
            session,
            user.organization_id,
            campaign_id,
            PlanRequest(budget=body.budget, objective=body.objective),
        )
    except InvalidInputError as exc:
        return _plan_page(request, session, user, campaign, values, field_errors(exc.errors), 422)
    except CampaignWithoutBudgetError:
        # The API's 409 (the campaign lacks a budget); on the form the budget field is empty.
        missing = [FieldError("budget", "the campaign has no budget; give one")]
        return _plan_page(request, session, user, campaign, values, field_errors(missing), 422)
    except CampaignCurrencyError as exc:
        return _plan_page(request, session, user, campaign, values, {"": exc.message}, 409)
    except IndexNotReadyError as exc:
        errors = {"": f"{exc.message} Import creators first; the index builds after an import."}
        return _plan_page(request, session, user, campaign, values, errors, 503)
    return redirect(f"/campaigns/{campaign_id}/plan", flash="Plan made.")


@router.post("/campaigns/{campaign_id}/plan/{plan_id}/shortlist", response_model=None)
def shortlist_plan(
    campaign_id: IdPath, plan_id: IdPath, request: Request, user: FormUser, session: SessionDep
) -> RedirectResponse:
    """Add the plan's chosen creators to the campaign's pipeline as prospects."""
    recruiter(user)
    campaign_of(session, user, campaign_id)
    plan = planning(request).plan(session, user.organization_id, plan_id, campaign_id=campaign_id)
    ids = [int(c["id"]) for c in plan.result.get("chosen", [])]
    if not ids:
        return redirect(f"/campaigns/{campaign_id}/plan", flash="The plan chose nobody to add.")
    reasons = campaigns.match_reasons(
        session, user.organization_id, campaign_id, ids, matcher=request.app.state.matcher
    )
    entries = outreach_service(request).add_to_pipeline(
        session, user.organization_id, campaign_id, reasons
    )
    return redirect(
        f"/campaigns/{campaign_id}/pipeline",
        flash=f"{len(entries)} creators from the plan are in the pipeline.",
    )
