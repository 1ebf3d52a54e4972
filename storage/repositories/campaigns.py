"""Queries on brands and campaigns, always scoped to one organisation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFoundError
from models import Brand, Campaign

__all__ = [
    "BrandNotFoundError",
    "BrandRepository",
    "CampaignNotFoundError",
    "CampaignRepository",
]


class BrandNotFoundError(NotFoundError):
    def __init__(self, brand_id: int) -> None:
        super().__init__(f"brand {brand_id} not found")
        self.brand_id = brand_id


class CampaignNotFoundError(NotFoundError):
    def __init__(self, campaign_id: int) -> None:
        super().__init__(f"campaign {campaign_id} not found")
        self.campaign_id = campaign_id


class BrandRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, organization_id: int, brand_id: int) -> Brand | None:
        return self.session.scalar(
            select(Brand).where(Brand.organization_id == organization_id, Brand.id == brand_id)
        )

    def get_or_raise(self, organization_id: int, brand_id: int) -> Brand:
        brand = self.get(organization_id, brand_id)
        if brand is None:
            raise BrandNotFoundError(brand_id)
        return brand

    def get_by_name(self, organization_id: int, name: str) -> Brand | None:
        return self.session.scalar(
            select(Brand).where(Brand.organization_id == organization_id, Brand.name == name)
        )

    def list(self, organization_id: int, *, after_id: int | None, limit: int) -> list[Brand]:
        stmt = select(Brand).where(Brand.organization_id == organization_id)
        if after_id is not None:
            stmt = stmt.where(Brand.id > after_id)
        return list(self.session.scalars(stmt.order_by(Brand.id).limit(limit)))

    def add(self, brand: Brand) -> Brand:
        self.session.add(brand)
        self.session.flush()
        return brand

    def delete(self, brand: Brand) -> None:
        self.session.delete(brand)
        self.session.flush()


class CampaignRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, organization_id: int, campaign_id: int) -> Campaign | None:
        return self.session.scalar(
            select(Campaign).where(
                Campaign.organization_id == organization_id, Campaign.id == campaign_id
            )
        )

    def get_or_raise(self, organization_id: int, campaign_id: int) -> Campaign:
        campaign = self.get(organization_id, campaign_id)
        if campaign is None:
            raise CampaignNotFoundError(campaign_id)
        return campaign

    def list(
        self,
        organization_id: int,
        *,
        brand_id: int | None = None,
        after_id: int | None,
        limit: int,
    ) -> list[Campaign]:
        stmt = select(Campaign).where(Campaign.organization_id == organization_id)
        if brand_id is not None:
            stmt = stmt.where(Campaign.brand_id == brand_id)
        if after_id is not None:
            stmt = stmt.where(Campaign.id > after_id)
        return list(self.session.scalars(stmt.order_by(Campaign.id).limit(limit)))

    def add(self, campaign: Campaign) -> Campaign:
        self.session.add(campaign)
        self.session.flush()
        return campaign

    def delete(self, campaign: Campaign) -> None:
        self.session.delete(campaign)
        self.session.flush()
