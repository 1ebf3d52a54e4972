"""``POST /v1/campaigns/{id}/plan`` and the plans it stores (JSON, CSV, HTML with charts), and
``/v1/planner/mixes``: the organisation's budget split across tiers per objective."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from api.deps import ReadPrincipal, SessionDep, WritePrincipal
from api.schemas.common import IdPath
from api.schemas.matching import Objective
from api.schemas.plans import MixIn, PlanIn, PlanRead
from campaigns.planning import PlanningService, PlanRequest
from campaigns.service import CampaignService

router = APIRouter(tags=["planner"])
# Reports are static pages: inline styles, no scripts, nothing fetched.
_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _service(request: Request) -> PlanningService:
    return PlanningService(request.app.state.matcher)


@router.post(
    "/v1/campaigns/{campaign_id}/plan",
    response_model=PlanRead,
    status_code=status.HTTP_201_CREATED,
    responses={503: {"description": "The organisation's match index is not built yet"}},
)
def plan_campaign(
    campaign_id: IdPath,
    request: Request,
    principal: WritePrincipal,
    session: SessionDep,
    body: PlanIn | None = None,
) -> PlanRead:
    """Allocate the campaign's budget across tiers and choose creators from the matcher's
    ranking to maximise the objective's outcome within budget (an exact integer programme),
    with ranges, totals and a reason for each creator. The plan is stored."""
    body = body or PlanIn()
    row = _service(request).plan_campaign(
        session,
        principal.organization_id,
        campaign_id,
        PlanRequest(
            budget=body.budget,
            objective=body.objective,
            candidates=body.candidates,
            max_overlap=body.max_overlap,
            max_share_of_tier=body.max_share_of_tier,
        ),
    )
    return PlanRead.from_row(row)


@router.get("/v1/campaigns/{campaign_id}/plans", response_model=list[PlanRead])
def list_plans(
    campaign_id: IdPath, request: Request, principal: ReadPrincipal, session: SessionDep
) -> list[PlanRead]:
    """The plans made for a campaign, oldest first."""
    CampaignService().get(session, principal.organization_id, campaign_id)
    rows = _service(request).plans(session, principal.organization_id, campaign_id)
    return [PlanRead.from_row(r) for r in rows]


@router.get(
    "/v1/plans/{plan_id}",
    response_model=PlanRead,
    responses={200: {"content": {"text/html": {}, "text/csv": {}}}},
)
def get_plan(
    plan_id: IdPath,
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    fmt: Annotated[Literal["json", "csv", "html"], Query(alias="format")] = "json",
) -> PlanRead | Response:
    """One plan: JSON, CSV (one row per candidate) or the HTML report with charts."""
    row = _service(request).plan(session, principal.organization_id, plan_id)
    if fmt == "html":
        return HTMLResponse(
            row.html,
            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
        )
    if fmt == "csv":
        return Response(
            row.csv,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="plan-{plan_id}.csv"'},
        )
    return PlanRead.from_row(row)


_MIXES_EXAMPLE = {
    "conversions": {"nano": 0.0, "micro": 0.7, "mid": 0.2, "macro": 0.0, "mega": 0.1},
    "awareness": {"nano": 0.0, "micro": 0.1, "mid": 0.15, "macro": 0.3, "mega": 0.45},
}


@router.get(
    "/v1/planner/mixes",
    responses={200: {"content": {"application/json": {"example": _MIXES_EXAMPLE}}}},
)
def get_mixes(
    request: Request, principal: ReadPrincipal, session: SessionDep
) -> dict[str, dict[str, float]]:
    """The budget split across tiers per objective: the defaults with the organisation's
    overrides."""
    return _service(request).mixes(session, principal.organization_id)


@router.put(
    "/v1/planner/mixes/{objective}",
    responses={200: {"content": {"application/json": {"example": _MIXES_EXAMPLE["conversions"]}}}},
)
def put_mix(
    objective: Objective,
    body: MixIn,
    request: Request,
    principal: WritePrincipal,
    session: SessionDep,
) -> dict[str, float]:
    """Override one objective's mix for the organisation (the shares are scaled to sum to 1)."""
    return _service(request).set_mix(
        session, principal.organization_id, objective, body.mix.normalised()
    )


@router.delete("/v1/planner/mixes/{objective}", status_code=status.HTTP_204_NO_CONTENT)
def delete_mix(
    objective: Objective, request: Request, principal: WritePrincipal, session: SessionDep
) -> Response:
    """Back to the default mix for this objective."""
    _service(request).reset_mix(session, principal.organization_id, objective)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
