"""What the campaign pages share (``campaign_brief.py``, ``campaign_plan.py``,
``campaign_pipeline.py``, ``campaign_drafts.py``): the services they call, the form and its
checks, the campaign of the URL, and the tabs every campaign page shows.

Every handler makes the calls the matching API route makes (``api/routes/campaigns.py``,
``plans.py`` and ``outreach.py``), scoped to the signed-in user's organisation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.schemas.common import FORM
from api.web.pages import (
    WebUser,
    outreach_service,
    require_role,
)
from campaigns.planning import PlanningService
from campaigns.service import BrandService, CampaignService
from core.errors import FieldError, InvalidInputError
from creators.service import CreatorService
from models import Campaign
from planner.formatting import money

__all__ = [
    "FormDep",
    "brands",
    "campaign_of",
    "campaigns",
    "creators_by_id",
    "creators_service",
    "form_text",
    "pipeline_counts",
    "planning",
    "recruiter",
    "tab_context",
    "validate",
]

recruiter = require_role("recruiter")
brands = BrandService()
campaigns = CampaignService()
creators_service = CreatorService()


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


def validate(model: type[BaseModel], data: Mapping[str, Any]) -> BaseModel:
    try:
        return model.model_validate(data, context=FORM)
    except ValidationError as exc:
        errors = _errors_from_validation(exc)
        raise InvalidInputError("; ".join(e.describe() for e in errors), errors) from None


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def pipeline_counts(
    request: Request, session: Session, organization_id: int, campaign_id: int
) -> Counter[str]:
    entries = outreach_service(request).entries(session, organization_id, campaign_id=campaign_id)
    return Counter(e.stage for e in entries)


def planning(request: Request) -> PlanningService:
    return PlanningService(request.app.state.matcher)


def campaign_of(session: Session, user: WebUser, campaign_id: int) -> Campaign:
    return campaigns.get(session, user.organization_id, campaign_id)


def tab_context(session: Session, user: WebUser, campaign: Campaign) -> dict[str, Any]:
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


def creators_by_id(session: Session, organization_id: int, ids: Sequence[int]) -> dict[int, Any]:
    return creators_service.by_id(session, organization_id, ids)
