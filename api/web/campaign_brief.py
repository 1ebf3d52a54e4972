"""The campaigns list with a new-campaign form, and a campaign's brief (view and edit)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.deps import SessionDep
from api.schemas.campaigns import BrandCreate, CampaignCreate, CampaignUpdate
from api.schemas.common import IdPath
from api.web.campaign_common import (
    FormDep,
    brands,
    campaign_of,
    campaigns,
    form_text,
    pipeline_counts,
    recruiter,
    tab_context,
    validate,
)
from api.web.pages import (
    FormUser,
    RecruiterUser,
    WebUser,
    field_errors,
    redirect,
    render,
)
from core.errors import ConflictError, InvalidInputError
from creators.record import Platform
from matcher.brief import AGE_BANDS, GENDERS
from models import OBJECTIVES, STAGES, Campaign
from planner.formatting import money

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _split(text: str) -> list[str]:
    """Comma- or newline-separated values, trimmed, without empties."""
    return [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]


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
    values: dict[str, Any] = {name: form_text(form, name) for name in _FORM_FIELDS}
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
        body = validate(BrandCreate, {"name": values["new_brand"]}).model_dump()
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
            "counts": pipeline_counts(request, session, user.organization_id, c.id),
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
    body = validate(schema, _campaign_fields({**values, "brand_id": ""}))
    fields = _api_fields(body)
    _brand_for(session, user, values)
    fields["brand_id"] = int(values["brand_id"]) if values["brand_id"].isdigit() else None
    return fields


@router.post("/campaigns", response_model=None)
def create_campaign(
    request: Request, user: FormUser, session: SessionDep, form: FormDep
) -> HTMLResponse | RedirectResponse:
    """Create a campaign (and its brand, when the form names a new one)."""
    recruiter(user)
    values = _values_from(form)
    try:
        fields = _checked_fields(session, user, values, CampaignCreate)
        campaign = campaigns.create(session, user.organization_id, fields)
    except InvalidInputError as exc:
        session.rollback()  # a brand made for a campaign that failed goes too
        return _list_page(request, session, user, values, field_errors(exc.errors), 422)
    return redirect(f"/campaigns/{campaign.id}", flash=f"Campaign “{campaign.name}” created.")


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
            **tab_context(session, user, campaign),
            **_form_context(session, user),
            "tab": "Brief",
            "values": values,
            "errors": errors,
            "counts": pipeline_counts(request, session, user.organization_id, campaign.id),
            "stages": STAGES,
        },
        status_code=status_code,
    )


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def get_campaign(
    campaign_id: IdPath, request: Request, user: RecruiterUser, session: SessionDep
) -> HTMLResponse:
    """The campaign's brief, with a form to change it."""
    campaign = campaign_of(session, user, campaign_id)
    return _brief_page(request, session, user, campaign, _values_of(campaign), {})


@router.post("/campaigns/{campaign_id}", response_model=None)
def update_campaign(
    campaign_id: IdPath, request: Request, user: FormUser, session: SessionDep, form: FormDep
) -> HTMLResponse | RedirectResponse:
    """Save the brief form (every field: an empty one clears it)."""
    recruiter(user)
    campaign = campaign_of(session, user, campaign_id)
    values = _values_from(form)
    try:
        fields = _checked_fields(session, user, values, CampaignUpdate)
        campaigns.update(session, user.organization_id, campaign_id, fields)
    except InvalidInputError as exc:
        session.rollback()
        campaign = campaign_of(session, user, campaign_id)
        return _brief_page(request, session, user, campaign, values, field_errors(exc.errors), 422)
    return redirect(f"/campaigns/{campaign_id}", flash="Brief saved.")
