"""``/v1/brands`` and ``/v1/campaigns``: the brands an organisation works for and their
campaigns (a stored brief that ``POST /v1/match`` can rank creators for)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from api.deps import ReadPrincipal, SessionDep, WritePrincipal
from api.schemas.campaigns import (
    BrandCreate,
    BrandRead,
    BrandUpdate,
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
)
from api.schemas.common import AfterCursor, IdPath, IdQuery, Page, decode_cursor, page_of
from campaigns.service import BrandService, CampaignService

brands_router = APIRouter(prefix="/v1/brands", tags=["campaigns"])
campaigns_router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])
brands = BrandService()
campaigns = CampaignService()

Limit = Annotated[int, Query(ge=1, le=200)]


def _fields(body: BaseModel) -> dict[str, Any]:
    """The fields the client sent (an update changes only those); enums as their values."""
    fields = body.model_dump(exclude_unset=True)
    if fields.get("platforms") is not None:
        fields["platforms"] = [str(p.value) for p in fields["platforms"]]
    return fields


@brands_router.get("", response_model=Page[BrandRead])
def list_brands(
    principal: ReadPrincipal, session: SessionDep, cursor: AfterCursor = None, limit: Limit = 50
) -> Page[BrandRead]:
    """The organisation's brands in id order."""
    rows = brands.list(
        session, principal.organization_id, after_id=decode_cursor(cursor), limit=limit + 1
    )
    return page_of(rows, limit, BrandRead.from_row, lambda b: {"after": b.id})


@brands_router.post("", response_model=BrandRead, status_code=status.HTTP_201_CREATED)
def create_brand(body: BrandCreate, principal: WritePrincipal, session: SessionDep) -> BrandRead:
    """Create a brand; a second brand with the same name is a 409."""
    return BrandRead.from_row(brands.create(session, principal.organization_id, _fields(body)))


@brands_router.get("/{brand_id}", response_model=BrandRead)
def get_brand(brand_id: IdPath, principal: ReadPrincipal, session: SessionDep) -> BrandRead:
    """One brand; another organisation's brand is a 404, exactly like a missing one."""
    return BrandRead.from_row(brands.get(session, principal.organization_id, brand_id))


@brands_router.patch("/{brand_id}", response_model=BrandRead)
def update_brand(
    brand_id: IdPath, body: BrandUpdate, principal: WritePrincipal, session: SessionDep
) -> BrandRead:
    """Change some fields of a brand; renaming it to another brand's name is a 409."""
    return BrandRead.from_row(
        brands.update(session, principal.organization_id, brand_id, _fields(body))
    )


@brands_router.delete("/{brand_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_brand(brand_id: IdPath, principal: WritePrincipal, session: SessionDep) -> Response:
    """Delete a brand; its campaigns stay, without a brand."""
    brands.delete(session, principal.organization_id, brand_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@campaigns_router.get("", response_model=Page[CampaignRead])
def list_campaigns(
    principal: ReadPrincipal,
    session: SessionDep,
    brand_id: IdQuery = None,
    cursor: AfterCursor = None,
    limit: Limit = 50,
) -> Page[CampaignRead]:
    """The organisation's campaigns in id order, optionally of one brand."""
    rows = campaigns.list(
        session,
        principal.organization_id,
        brand_id=brand_id,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
    )
    return page_of(rows, limit, CampaignRead.from_row, lambda c: {"after": c.id})


@campaigns_router.post("", response_model=CampaignRead, status_code=status.HTTP_201_CREATED)
def create_campaign(
    body: CampaignCreate, principal: WritePrincipal, session: SessionDep
) -> CampaignRead:
    """Create a campaign. ``POST /v1/match`` with its ``campaign_id`` ranks creators for it."""
    return CampaignRead.from_row(
        campaigns.create(session, principal.organization_id, _fields(body))
    )


@campaigns_router.get("/{campaign_id}", response_model=CampaignRead)
def get_campaign(
    campaign_id: IdPath, principal: ReadPrincipal, session: SessionDep
) -> CampaignRead:
    """One campaign with its stored brief, filters and exclusions."""
    return CampaignRead.from_row(campaigns.get(session, principal.organization_id, campaign_id))


@campaigns_router.patch("/{campaign_id}", response_model=CampaignRead)
def update_campaign(
    campaign_id: IdPath, body: CampaignUpdate, principal: WritePrincipal, session: SessionDep
) -> CampaignRead:
    """Change some fields of a campaign; ``null`` clears a list or an optional field."""
    return CampaignRead.from_row(
        campaigns.update(session, principal.organization_id, campaign_id, _fields(body))
    )


@campaigns_router.delete("/{campaign_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_campaign(
    campaign_id: IdPath, principal: WritePrincipal, session: SessionDep
) -> Response:
    """Delete a campaign."""
    campaigns.delete(session, principal.organization_id, campaign_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
