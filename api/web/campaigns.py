"""The campaigns pages for recruiters: the list and a new-campaign form, and per campaign
the brief (view and edit), the plan (tier mix, shortlist under budget, projections), the
outreach pipeline by stage, and drafts (make, preview, edit as a new version, send in dry
run, download as DOCX, HTML or Markdown).

Every handler makes the calls the matching API route makes (``api/routes/campaigns.py``,
``plans.py`` and ``outreach.py``), scoped to the signed-in user's organisation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.deps import DatabaseDep, SessionDep
from api.schemas.campaigns import BrandCreate, CampaignCreate, CampaignUpdate
from api.schemas.common import FORM, IdPath
from api.schemas.plans import PlanIn
from api.web.pages import (
    FormUser,
    RecruiterUser,
    WebUser,
    field_errors,
    outreach_service,
    redirect,
    render,
    require_role,
)
from campaigns.planning import (
    CampaignCurrencyError,
    CampaignWithoutBudgetError,
    PlanningService,
    PlanRequest,
)
from campaigns.service import BrandService, CampaignService
from core.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from creators.record import Platform
from creators.service import CreatorService
from matcher.brief import AGE_BANDS, GENDERS
from matcher.service import IndexNotReadyError
from models import OBJECTIVES, STAGES, Campaign, CampaignPlan, Draft, PipelineEntry
from outreach.contexts import STEPS
from outreach.service import DRAFT_KINDS, SenderProfileMissingError
from planner.charts import Series, bar_chart
from planner.formatting import count, money, per_unit, percent

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_recruiter = require_role("recruiter")
brands = BrandService()
campaigns = CampaignService()
creators_service = CreatorService()

KIND_LABELS: dict[str, str] = {
    "email_intro": "Intro e-mail",
    "email_followup1": "First follow-up e-mail",
    "email_followup2": "Second follow-up e-mail",
    "brief": "Creator brief",
    "contract_sponsored_post": "Contract: sponsored post",
    "contract_gifting": "Contract: gifting",
    "contract_ambassador": "Contract: ambassador",
}
_MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# The rendered HTML of a draft carries inline styles (e-mail clients need them), which the
# pages' policy forbids; the preview is its own document with its own, stricter policy.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
# Our charts are drawn from numbers with presentation attributes only; anything that the
# pages' policy would block (or that could run) keeps a chart off the page.
_UNSAFE_SVG = re.compile(r"<script|\sstyle\s*=|\son[a-z]+\s*=|javascript:|<foreignobject", re.I)


async def _form(request: Request) -> FormData:
    return await request.form()  # parsed once: FormUser has read it already


FormDep = Annotated[FormData, Depends(_form)]


# ----------------------------------------------------------------------------- helpers


def _errors_from_validation(exc: ValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
        out.append(
            FieldError(
                field=".".join(loc) or None,
                message=str(err.get("msg", "invalid")).removeprefix("Value error, "),
            )
        )
    return out


def _validate(model: type[BaseModel], data: Mapping[str, Any]) -> BaseModel:
    try:
        return model.model_validate(data, context=FORM)
    except ValidationError as exc:
        errors = _errors_from_validation(exc)
        raise InvalidInputError("; ".join(e.describe() for e in errors), errors) from None


def _split(text: str) -> list[str]:
    """Comma- or newline-separated values, trimmed, without empties."""
    return [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "document"


def _pipeline_counts(
    request: Request, session: Session, organization_id: int, campaign_id: int
) -> Counter[str]:
    entries = outreach_service(request).entries(session, organization_id, campaign_id=campaign_id)
    return Counter(e.stage for e in entries)


def _planning(request: Request) -> PlanningService:
    return PlanningService(request.app.state.matcher)


def _campaign(session: Session, user: WebUser, campaign_id: int) -> Campaign:
    return campaigns.get(session, user.organization_id, campaign_id)


# ------------------------------------------------------------------- campaign form values

_FORM_FIELDS = (
    "name",
    "brand_id",
    "new_brand",
    "brief",
    "objective",
    "budget",
    "currency",
    "countries",
    "languages",
    "target_audience.age",
    "target_audience.genders",
    "target_audience.interests",
    "starts_on",
    "ends_on",
)


def _values_of(campaign: Campaign | None) -> dict[str, Any]:
    """The form's values: a campaign's, or the defaults of a new one."""
    if campaign is None:
        return {
            **dict.fromkeys(_FORM_FIELDS, ""),
            "objective": "conversions",
            "currency": "USD",
            "platforms": [],
        }
    target = campaign.target_audience or {}
    age = target.get("age") or []
    return {
        "name": campaign.name,
        "brand_id": str(campaign.brand_id or ""),
        "new_brand": "",
        "brief": campaign.brief,
        "objective": campaign.objective,
        "budget": "" if campaign.budget is None else str(campaign.budget),
        "currency": campaign.currency,
        "platforms": list(campaign.platforms),
        "countries": ", ".join(campaign.countries),
        "languages": ", ".join(campaign.languages),
        "target_audience.age": ", ".join(age if isinstance(age, list) else list(age)),
        "target_audience.genders": ", ".join(target.get("genders") or []),
        "target_audience.interests": ", ".join(target.get("interests") or []),
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else "",
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else "",
    }


def _values_from(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: _text(form, name) for name in _FORM_FIELDS}
    values["brief"] = str(form.get("brief") or "")
    values["platforms"] = [str(p) for p in form.getlist("platforms")]
    return values


def _campaign_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """The API's campaign body from the form's values (validated by the caller)."""
    target = {
        key: _split(values[f"target_audience.{key}"])
        for key in ("age", "genders", "interests")
        if _split(values[f"target_audience.{key}"])
    }
    brand = values["brand_id"]
    return {
        "name": values["name"],
        "brand_id": int(brand) if brand.isdigit() else None,
        "brief": values["brief"],
        "objective": values["objective"],
        "budget": values["budget"] or None,
        "currency": values["currency"].upper() or "USD",
        "platforms": values["platforms"],
        "countries": _split(values["countries"]),
        "languages": _split(values["languages"]),
        "target_audience": target or None,
        "starts_on": values["starts_on"] or None,
        "ends_on": values["ends_on"] or None,
    }


def _api_fields(body: BaseModel) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=True)  # fields the form does not show stay as they are
    if fields.get("platforms") is not None:
        fields["platforms"] = [str(p.value) for p in fields["platforms"]]
    return fields


def _form_context(session: Session, user: WebUser) -> dict[str, Any]:
    rows = brands.list(session, user.organization_id, after_id=None, limit=500)
    return {
        "brand_options": [
            ("", "No brand"),
            *[(str(b.id), b.name) for b in rows],
            ("new", "A new brand…"),
        ],
        "objective_options": [(o, o.replace("_", " ")) for o in OBJECTIVES],
        "platform_options": [p.value for p in Platform],
        "age_bands": [band for band, _, _ in AGE_BANDS],
        "genders": list(GENDERS),
    }


def _brand_for(session: Session, user: WebUser, values: dict[str, Any]) -> None:
    """Create the new brand the form names (its id goes into ``values``)."""
    if values["brand_id"] != "new":
        return
    try:
        body = _validate(BrandCreate, {"name": values["new_brand"]}).model_dump()
        brand = brands.create(session, user.organization_id, body)
    except (ConflictError, InvalidInputError) as exc:
        raise InvalidInputError.for_field("new_brand", exc.message) from None
    values["brand_id"] = str(brand.id)


# ------------------------------------------------------------------------ list and create


def _list_page(
    request: Request,
    session: Session,
    user: WebUser,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    rows = campaigns.list(session, user.organization_id, after_id=None, limit=500)
    brand_names = {
        b.id: b.name for b in brands.list(session, user.organization_id, after_id=None, limit=500)
    }
    items = [
        {
            "campaign": c,
            "brand": brand_names.get(c.brand_id) if c.brand_id else None,
            "counts": _pipeline_counts(request, session, user.organization_id, c.id),
        }
        for c in rows
    ]
    return render(
        request,
        "campaigns/list.html",
        {
            "items": items,
            "stages": STAGES,
            "money": money,
            "values": values,
            "errors": errors,
            **_form_context(session, user),
        },
        status_code=status_code,
    )


@router.get("/campaigns", response_class=HTMLResponse)
def list_campaigns(request: Request, user: RecruiterUser, session: SessionDep) -> HTMLResponse:
    """The organisation's campaigns and a form for a new one."""
    return _list_page(request, session, user, _values_of(None), {})


def _checked_fields(
    session: Session, user: WebUser, values: dict[str, Any], schema: type[BaseModel]
) -> dict[str, Any]:
    """The campaign fields of the form, checked by the API's ``schema``; a new brand named
    in the form is created (the caller rolls back if the campaign then fails)."""
    if values["brand_id"] == "new" and not values["new_brand"]:
        raise InvalidInputError.for_field("new_brand", "give the new brand's name")
    body = _validate(schema, _campaign_fields({**values, "brand_id": ""}))
    fields = _api_fields(body)
    _brand_for(session, user, values)
    fields["brand_id"] = int(values["brand_id"]) if values["brand_id"].isdigit() else None
    return fields


@router.post("/campaigns", response_model=None)
def create_campaign(
    request: Request, user: FormUser, session: SessionDep, form: FormDep
) -> HTMLResponse | RedirectResponse:
    """Create a campaign (and its brand, when the form names a new one)."""
    _recruiter(user)
    values = _values_from(form)
    try:
        fields = _checked_fields(session, user, values, CampaignCreate)
        campaign = campaigns.create(session, user.organization_id, fields)
    except InvalidInputError as exc:
        session.rollback()  # a brand made for a campaign that failed goes too
        return _list_page(request, session, user, values, field_errors(exc.errors), 422)
    return redirect(f"/campaigns/{campaign.id}", flash=f"Campaign “{campaign.name}” created.")


# -------------------------------------------------------------------------------- tabs


def _tab_context(session: Session, user: WebUser, campaign: Campaign) -> dict[str, Any]:
    brand = (
        brands.get(session, user.organization_id, campaign.brand_id)
        if campaign.brand_id is not None
        else None
    )
    base = f"/campaigns/{campaign.id}"
    return {
        "campaign": campaign,
        "brand": brand,
        "tabs": [
            (base, "Brief"),
            (f"{base}/plan", "Plan"),
            (f"{base}/pipeline", "Pipeline"),
            (f"{base}/drafts", "Drafts"),
        ],
        "money": money,
    }


def _brief_page(
    request: Request,
    session: Session,
    user: WebUser,
    campaign: Campaign,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "campaigns/brief.html",
        {
            **_tab_context(session, user, campaign),
            **_form_context(session, user),
            "tab": "Brief",
            "values": values,
            "errors": errors,
            "counts": _pipeline_counts(request, session, user.organization_id, campaign.id),
            "stages": STAGES,
        },
        status_code=status_code,
    )


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def get_campaign(
    campaign_id: IdPath, request: Request, user: RecruiterUser, session: SessionDep
) -> HTMLResponse:
    """The campaign's brief, with a form to change it."""
    campaign = _campaign(session, user, campaign_id)
    return _brief_page(request, session, user, campaign, _values_of(campaign), {})


@router.post("/campaigns/{campaign_id}", response_model=None)
def update_campaign(
    campaign_id: IdPath, request: Request, user: FormUser, session: SessionDep, form: FormDep
) -> HTMLResponse | RedirectResponse:
    """Save the brief form (every field: an empty one clears it)."""
    _recruiter(user)
    campaign = _campaign(session, user, campaign_id)
    values = _values_from(form)
    try:
        fields = _checked_fields(session, user, values, CampaignUpdate)
        campaigns.update(session, user.organization_id, campaign_id, fields)
    except InvalidInputError as exc:
        session.rollback()
        campaign = _campaign(session, user, campaign_id)
        return _brief_page(request, session, user, campaign, values, field_errors(exc.errors), 422)
    return redirect(f"/campaigns/{campaign_id}", flash="Brief saved.")


# -------------------------------------------------------------------------------- plan


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
    plans = _planning(request).plans(session, user.organization_id, campaign.id)
    entries = outreach_service(request).entries(
        session, user.organization_id, campaign_id=campaign.id
    )
    in_pipeline = {e.creator_id for e in entries}
    view = _plan_view(plans[-1], in_pipeline) if plans else None
    return render(
        request,
        "campaigns/plan.html",
        {
            **_tab_context(session, user, campaign),
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
    return _plan_page(request, session, user, _campaign(session, user, campaign_id))


@router.post("/campaigns/{campaign_id}/plan", response_model=None)
def make_plan(
    campaign_id: IdPath, request: Request, user: FormUser, session: SessionDep, form: FormDep
) -> HTMLResponse | RedirectResponse:
    """Plan the campaign (as ``POST /v1/campaigns/{id}/plan``) and store the plan."""
    _recruiter(user)
    campaign = _campaign(session, user, campaign_id)
    values = {"objective": _text(form, "objective"), "budget": _text(form, "budget")}
    try:
        body = _validate(
            PlanIn, {"objective": values["objective"] or None, "budget": values["budget"] or None}
        )
        assert isinstance(body, PlanIn)
        _planning(request).plan_campaign(
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
    _recruiter(user)
    _campaign(session, user, campaign_id)
    plan = _planning(request).plan(session, user.organization_id, plan_id, campaign_id=campaign_id)
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


# ---------------------------------------------------------------------------- pipeline


def _handles(session: Session, organization_id: int, ids: Sequence[int]) -> dict[int, Any]:
    return creators_service.by_id(session, organization_id, ids)


def _next_email(entry: PipelineEntry) -> str:
    if entry.next_send_at is not None and entry.next_step < len(STEPS):
        step = STEPS[entry.next_step]
        return f"{step} due {entry.next_send_at:%Y-%m-%d %H:%M} UTC"
    if entry.stopped_reason:
        return f"sequence stopped: {entry.stopped_reason.replace('_', ' ')}"
    return "sequence not started" if entry.next_step == 0 else ""


@router.get("/campaigns/{campaign_id}/pipeline", response_class=HTMLResponse)
def get_pipeline(
    campaign_id: IdPath, request: Request, user: RecruiterUser, session: SessionDep
) -> HTMLResponse:
    """The campaign's creators by outreach stage."""
    campaign = _campaign(session, user, campaign_id)
    outreach = outreach_service(request)
    entries = outreach.entries(session, user.organization_id, campaign_id=campaign_id)
    creators = _handles(session, user.organization_id, [e.creator_id for e in entries])
    items: list[dict[str, Any]] = [
        {
            "entry": e,
            "creator": creators.get(e.creator_id),
            "next": _next_email(e),
            "messages": outreach.messages(session, user.organization_id, entry_id=e.id),
        }
        for e in entries
    ]
    columns = [(stage, [i for i in items if i["entry"].stage == stage]) for stage in STAGES]
    startable = [
        e for e in entries if e.stage == "prospect" and e.next_step == 0 and e.next_send_at is None
    ]
    return render(
        request,
        "campaigns/pipeline.html",
        {
            **_tab_context(session, user, campaign),
            "tab": "Pipeline",
            "columns": columns,
            "total": len(entries),
            "stages": STAGES,
            "startable": len(startable),
            "dry_run": request.app.state.settings.outreach_dry_run,
        },
    )


@router.post("/campaigns/{campaign_id}/pipeline/{entry_id}/stage", response_model=None)
def move_entry(
    campaign_id: IdPath,
    entry_id: IdPath,
    request: Request,
    user: FormUser,
    session: SessionDep,
    form: FormDep,
) -> RedirectResponse:
    """Move a creator to another stage (as ``PATCH /v1/outreach/pipeline/{id}``)."""
    _recruiter(user)
    _campaign(session, user, campaign_id)
    outreach = outreach_service(request)
    entry = outreach.entry(session, user.organization_id, entry_id)
    if entry.campaign_id != campaign_id:
        raise NotFoundError(f"pipeline entry {entry_id} not found")
    stage = _text(form, "stage")
    note = _text(form, "note") or None
    moved = outreach.set_stage(session, user.organization_id, entry_id, stage, note=note)
    creator = creators_service.find(session, user.organization_id, moved.creator_id)
    who = f"@{creator.handle}" if creator else f"Creator {moved.creator_id}"
    return redirect(
        f"/campaigns/{campaign_id}/pipeline",
        flash=f"{who} moved to {moved.stage.replace('_', ' ')}.",
    )


@router.post("/campaigns/{campaign_id}/sequence/start", response_model=None)
def start_sequence(
    campaign_id: IdPath, request: Request, user: FormUser, session: SessionDep
) -> RedirectResponse:
    """Make the campaign's prospects due for the intro e-mail (the scheduler sends it)."""
    _recruiter(user)
    _campaign(session, user, campaign_id)
    started = outreach_service(request).start_sequence(session, user.organization_id, campaign_id)
    return redirect(
        f"/campaigns/{campaign_id}/pipeline",
        flash=(
            f"Sequence started for {len(started)} prospects: the intro e-mails go out within a "
            "minute"
            + (
                " (dry run: written to the outbox, not sent)."
                if request.app.state.settings.outreach_dry_run
                else "."
            )
        ),
    )


# ------------------------------------------------------------------------------ drafts


def _draft(
    session: Session, request: Request, user: WebUser, campaign_id: int, draft_id: int
) -> Draft:
    draft = outreach_service(request).draft(session, user.organization_id, draft_id)
    if draft.campaign_id != campaign_id:
        raise NotFoundError(f"draft {draft_id} not found")
    return draft


@router.get("/campaigns/{campaign_id}/drafts", response_class=HTMLResponse)
def list_drafts(
    campaign_id: IdPath, request: Request, user: RecruiterUser, session: SessionDep
) -> HTMLResponse:
    """The campaign's drafts, and a form to make one for a creator in the pipeline."""
    campaign = _campaign(session, user, campaign_id)
    return _drafts_page(request, session, user, campaign, {}, {})


def _drafts_page(
    request: Request,
    session: Session,
    user: WebUser,
    campaign: Campaign,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    outreach = outreach_service(request)
    drafts = outreach.drafts(session, user.organization_id, campaign_id=campaign.id)
    entries = outreach.entries(session, user.organization_id, campaign_id=campaign.id)
    creators = _handles(
        session,
        user.organization_id,
        [e.creator_id for e in entries] + [d.creator_id for d in drafts],
    )
    return render(
        request,
        "campaigns/drafts.html",
        {
            **_tab_context(session, user, campaign),
            "tab": "Drafts",
            "drafts": list(reversed(drafts)),
            "creators": creators,
            "creator_options": [
                (
                    str(e.creator_id),
                    f"@{creators[e.creator_id].handle} ({e.stage.replace('_', ' ')})",
                )
                for e in entries
                if e.creator_id in creators
            ],
            "kind_options": [(k, KIND_LABELS[k]) for k in DRAFT_KINDS],
            "kind_labels": KIND_LABELS,
            "values": {"creator_id": "", "kind": "email_intro", **values},
            "errors": errors,
        },
        status_code=status_code,
    )


@router.post("/campaigns/{campaign_id}/drafts", response_model=None)
def create_draft(
    campaign_id: IdPath, request: Request, user: FormUser, session: SessionDep, form: FormDep
) -> HTMLResponse | RedirectResponse:
    """Render a draft for a creator in the pipeline and run the compliance gate."""
    _recruiter(user)
    campaign = _campaign(session, user, campaign_id)
    values = {"creator_id": _text(form, "creator_id"), "kind": _text(form, "kind")}
    entry = (
        outreach_service(request).entry_for(
            session, user.organization_id, campaign_id, int(values["creator_id"])
        )
        if values["creator_id"].isdigit()
        else None
    )
    try:
        if entry is None:
            raise InvalidInputError.for_field("creator_id", "choose a creator in the pipeline")
        # No reasons given: the service uses the entry's, the ones its e-mails are sent with.
        draft = outreach_service(request).create_draft(
            session,
            user.organization_id,
            campaign_id=campaign_id,
            creator_id=entry.creator_id,
            kind=values["kind"],
        )
    except InvalidInputError as exc:
        return _drafts_page(request, session, user, campaign, values, field_errors(exc.errors), 422)
    except SenderProfileMissingError:
        errors = {
            "sender": "set your organisation's sender profile first (Settings): every e-mail "
            "must carry the sender's name and postal address"
        }
        return _drafts_page(request, session, user, campaign, values, errors, 409)
    verdict = (
        "passed the compliance gate" if draft.allowed else "was BLOCKED by the compliance gate"
    )
    return redirect(
        f"/campaigns/{campaign_id}/drafts/{draft.id}",
        flash=f"{KIND_LABELS[draft.kind]} drafted; it {verdict}.",
    )


# Editable fields by kind: (form name, label, kind of value, help).
_EMAIL_FIELDS = (("reasons", "Why this creator fits (one reason a line)", "lines"),)
_BRIEF_FIELDS = (
    ("key_messages", "Key messages (one a line)", "lines"),
    ("dos", "Do (one a line)", "lines"),
    ("donts", "Don't (one a line)", "lines"),
    ("hashtags", "Hashtags (one a line)", "lines"),
    ("approval_process", "Approval process (one step a line)", "lines"),
    ("reporting_requirements", "Reporting (one requirement a line)", "lines"),
)
_CONTRACT_FIELDS = (
    ("creator_party.legal_name", "Creator's legal name", "text"),
    ("creator_party.address", "Creator's address", "area"),
    ("governing_law", "Governing law", "text"),
    ("venue", "Venue (courts)", "text"),
)
_GIFTING_FIELDS = (
    ("gifted_products", "Gifted products (one a line)", "lines"),
    ("gift_value", "Retail value of the gift", "text"),
)


def _edit_fields(kind: str) -> tuple[tuple[str, str, str], ...]:
    if kind.startswith("email_"):
        return _EMAIL_FIELDS
    if kind == "brief":
        return _BRIEF_FIELDS
    return _CONTRACT_FIELDS + (_GIFTING_FIELDS if kind == "contract_gifting" else ())


def _edit_values(draft: Draft) -> dict[str, str]:
    """The draft's editable text, from the context it was rendered with."""
    ctx = draft.context
    values: dict[str, str] = {}
    for name, _label, shape in _edit_fields(draft.kind):
        if name.startswith("creator_party."):
            value: Any = (ctx.get("creator") or {}).get(name.split(".", 1)[1], "")
        elif name == "gift_value":
            value = (ctx.get("compensation") or {}).get("amount", "")
        else:
            value = ctx.get(name, "")
        values[name] = "\n".join(str(v) for v in value) if shape == "lines" else str(value or "")
    return values


def _edit_request(kind: str, values: Mapping[str, str]) -> tuple[list[str], dict[str, Any]]:
    """(reasons, extra) for ``create_draft`` from the edit form's values."""
    if kind.startswith("email_"):
        return _lines(values["reasons"]), {}
    extra: dict[str, Any] = {}
    party: dict[str, str] = {}
    for name, _label, shape in _edit_fields(kind):
        value = values.get(name, "")
        if name.startswith("creator_party."):
            party[name.split(".", 1)[1]] = value.strip()
        elif shape == "lines":
            extra[name] = _lines(value)
        elif name == "gift_value":
            try:
                extra[name] = str(Decimal(value.strip()))
            except ArithmeticError:
                raise InvalidInputError.for_field(name, "give an amount, like 150") from None
        else:
            extra[name] = value.strip()
    if party:
        extra["creator_party"] = party
    return [], extra


def _draft_page(
    request: Request,
    session: Session,
    user: WebUser,
    campaign: Campaign,
    draft: Draft,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    outreach = outreach_service(request)
    entry = outreach.entry_for(session, user.organization_id, campaign.id, draft.creator_id)
    creator = creators_service.find(session, user.organization_id, draft.creator_id)
    versions = outreach.drafts(
        session, user.organization_id, campaign_id=campaign.id, creator_id=draft.creator_id
    )
    messages = outreach.messages(session, user.organization_id, entry_id=entry.id) if entry else []
    formats = ("html", "md") if draft.kind.startswith("email_") else ("docx", "html", "md")
    return render(
        request,
        "campaigns/draft.html",
        {
            **_tab_context(session, user, campaign),
            "tab": "Drafts",
            "draft": draft,
            "creator": creator,
            "entry": entry,
            "kind_label": KIND_LABELS[draft.kind],
            "kind_labels": KIND_LABELS,
            "versions": [v for v in versions if v.kind == draft.kind],
            "fields": _edit_fields(draft.kind),
            "values": values or _edit_values(draft),
            "errors": errors or {},
            "formats": formats if draft.allowed else (),
            "send_blocker": _send_blocker(draft, entry, creator),
            "messages": messages,
            "matches": {m.id: m.text_body == draft.markdown for m in messages},
            "dry_run": request.app.state.settings.outreach_dry_run,
        },
        status_code=status_code,
    )


def _send_blocker(draft: Draft, entry: PipelineEntry | None, creator: Any) -> str:
    """Why this draft cannot be sent from here ("" when it can)."""
    if not draft.kind.startswith("email_"):
        return "Documents are downloaded and sent with the conversation, not e-mailed from here."
    if draft.kind != "email_intro":
        return "Follow-ups go out on the sequence's schedule after the intro e-mail."
    if not draft.allowed:
        return "The compliance gate blocked this draft: fix it and save a new version first."
    if entry is None:
        return "The creator is not in this campaign's pipeline."
    if entry.stage != "prospect" or entry.next_step > 0 or entry.next_send_at is not None:
        stage = entry.stage.replace("_", " ")
        return f"The intro e-mail is already under way or done (stage: {stage})."
    if creator is None or not creator.email:
        return "The creator has no e-mail address."
    return ""


@router.get("/campaigns/{campaign_id}/drafts/{draft_id}", response_class=HTMLResponse)
def get_draft(
    campaign_id: IdPath,
    draft_id: IdPath,
    request: Request,
    user: RecruiterUser,
    session: SessionDep,
) -> HTMLResponse:
    """One draft: the gate's verdict, a preview, its text, an edit form, send and downloads."""
    campaign = _campaign(session, user, campaign_id)
    draft = _draft(session, request, user, campaign_id, draft_id)
    return _draft_page(request, session, user, campaign, draft)


@router.get("/campaigns/{campaign_id}/drafts/{draft_id}/preview", response_class=HTMLResponse)
def preview_draft(
    campaign_id: IdPath,
    draft_id: IdPath,
    request: Request,
    user: RecruiterUser,
    session: SessionDep,
) -> HTMLResponse:
    """The draft's rendered HTML, for the page's sandboxed preview frame."""
    _campaign(session, user, campaign_id)
    draft = _draft(session, request, user, campaign_id, draft_id)
    return HTMLResponse(draft.html, headers={"Content-Security-Policy": PREVIEW_CSP})


@router.post("/campaigns/{campaign_id}/drafts/{draft_id}", response_model=None)
def edit_draft(
    campaign_id: IdPath,
    draft_id: IdPath,
    request: Request,
    user: FormUser,
    session: SessionDep,
    form: FormDep,
) -> HTMLResponse | RedirectResponse:
    """Save the edited text as a new version of the draft (drafts are never changed in
    place); the new version goes through the compliance gate again."""
    _recruiter(user)
    campaign = _campaign(session, user, campaign_id)
    draft = _draft(session, request, user, campaign_id, draft_id)
    values = {name: str(form.get(name) or "") for name, _label, _shape in _edit_fields(draft.kind)}
    try:
        reasons, extra = _edit_request(draft.kind, values)
        new = outreach_service(request).create_draft(
            session,
            user.organization_id,
            campaign_id=campaign_id,
            creator_id=draft.creator_id,
            kind=draft.kind,
            reasons=reasons,
            extra=extra,
        )
    except InvalidInputError as exc:
        return _draft_page(
            request, session, user, campaign, draft, values, field_errors(exc.errors), 422
        )
    verdict = "passed the compliance gate" if new.allowed else "was BLOCKED by the compliance gate"
    return redirect(
        f"/campaigns/{campaign_id}/drafts/{new.id}",
        flash=f"Saved as a new version; it {verdict}.",
    )


@router.post("/campaigns/{campaign_id}/drafts/{draft_id}/send", response_model=None)
def send_draft(
    campaign_id: IdPath,
    draft_id: IdPath,
    request: Request,
    user: FormUser,
    session: SessionDep,
    database: DatabaseDep,
) -> RedirectResponse:
    """Send an intro e-mail draft the way the API does: start the creator's sequence, then
    run the due e-mails (dry run by default: the outbox records it, nothing is sent)."""
    _recruiter(user)
    _campaign(session, user, campaign_id)
    draft = _draft(session, request, user, campaign_id, draft_id)
    outreach = outreach_service(request)
    entry = outreach.entry_for(session, user.organization_id, campaign_id, draft.creator_id)
    creator = creators_service.find(session, user.organization_id, draft.creator_id)
    back = f"/campaigns/{campaign_id}/drafts/{draft_id}"
    blocker = _send_blocker(draft, entry, creator)
    if blocker or entry is None:
        return redirect(back, flash=f"Not sent: {blocker}")
    sent = outreach.send_intro(database, user.organization_id, draft.id)
    message = sent.message
    if message is None:
        detail = "; ".join(sent.summary.errors) or (
            "nothing was due (rate limit or a stopped sequence)"
        )
        return redirect(back, flash=f"Not sent: {detail}")
    label = "Sent (dry run)" if message.status == "dry_run" else f"Sent ({message.status})"
    return redirect(back, flash=f"{label}: “{message.subject}” to {message.to_email}.")


@router.get("/campaigns/{campaign_id}/drafts/{draft_id}/export/{fmt}", response_model=None)
def export_draft(
    campaign_id: IdPath,
    draft_id: IdPath,
    fmt: Literal["docx", "html", "md"],
    request: Request,
    user: RecruiterUser,
    session: SessionDep,
) -> Response:
    """Download the draft as DOCX, HTML or Markdown (refused for a draft the gate blocked)."""
    campaign = _campaign(session, user, campaign_id)
    draft = _draft(session, request, user, campaign_id, draft_id)
    content = outreach_service(request).export_draft(session, user.organization_id, draft_id, fmt)
    creator = creators_service.find(session, user.organization_id, draft.creator_id)
    name = "-".join(
        [
            _slug(campaign.name),
            draft.kind.replace("_", "-"),
            _slug(creator.handle if creator else ""),
        ]
    )
    headers = {"Content-Disposition": f'attachment; filename="{name}-v{draft.id}.{fmt}"'}
    if fmt == "html":
        headers["Content-Security-Policy"] = PREVIEW_CSP
    return Response(content, media_type=_MEDIA[fmt], headers=headers)
