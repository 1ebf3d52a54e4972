"""Brand and campaign request and response schemas."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.schemas.common import MAX_ID, Day, Id, Money, Omittable, RequestModel
from api.schemas.matching import BrandSafety, Objective, TargetIn
from core.text import MultilineStr
from creators.record import Platform
from models import Brand, Campaign

__all__ = [
    "BrandCreate",
    "BrandRead",
    "BrandUpdate",
    "CampaignCreate",
    "CampaignRead",
    "CampaignUpdate",
]

_Names = list[str]


def _clean(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


class BrandCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Verdant Skin",
                    "website": "https://verdant.example",
                    "categories": ["beauty", "skincare"],
                    "competitors": ["Glossier", "The Ordinary"],
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    website: str | None = Field(default=None, max_length=500)
    categories: _Names = Field(default_factory=list, max_length=50)
    competitors: _Names = Field(default_factory=list, max_length=100)

    _names = field_validator("categories", "competitors")(_clean)


class BrandUpdate(RequestModel):
    """Only the fields given change."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"competitors": ["Glossier"]}]}
    )

    name: str = Omittable(min_length=1, max_length=200)
    website: str | None = Field(default=None, max_length=500)
    categories: _Names | None = Field(default=None, max_length=50)
    competitors: _Names | None = Field(default=None, max_length=100)


class BrandRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "name": "Verdant Skin",
                    "website": "https://verdant.example",
                    "categories": ["beauty", "skincare"],
                    "competitors": ["Glossier", "The Ordinary"],
                    "created_at": "2026-11-02T10:15:00Z",
                }
            ]
        }
    )

    id: int
    name: str
    website: str | None
    categories: list[str]
    competitors: list[str]
    created_at: datetime

    @classmethod
    def from_row(cls, brand: Brand) -> BrandRead:
        return cls(
            id=brand.id,
            name=brand.name,
            website=brand.website,
            categories=list(brand.categories),
            competitors=list(brand.competitors),
            created_at=brand.created_at,
        )


_TARGET_DOC = (
    'Target audience: {"age": ["25-34"], "genders": ["female"], "countries": ["US"], '
    '"interests": ["sustainability"]}'
)
_CAMPAIGN_EXAMPLE: dict[str, Any] = {
    "name": "Verdant vegan SPF launch",
    "brand_id": 3,
    "brief": "vegan skincare launch in the US, women 25-34 who care about sustainability",
    "objective": "launch",
    "target_audience": {"age": ["25-34"], "genders": ["female"], "countries": ["US"]},
    "platforms": ["instagram", "tiktok"],
    "countries": ["US"],
    "languages": ["en"],
    "budget": "20000.00",
    "currency": "USD",
    "starts_on": "2027-01-10",
    "ends_on": "2027-03-31",
    "excluded_creator_ids": [],
    "competitor_brands": ["Glossier"],
    "brand_safety": ["alcohol", "gambling"],
}


class _CampaignFields(RequestModel):
    @field_validator("countries", check_fields=False)
    @classmethod
    def _upper(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else [v.upper() for v in values]

    @field_validator("languages", check_fields=False)
    @classmethod
    def _lower(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else [v.lower() for v in values]

    @field_validator("competitor_brands", "brand_safety", check_fields=False)
    @classmethod
    def _names(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _clean(values)

    @model_validator(mode="after")
    def _dates(self) -> Any:
        starts, ends = getattr(self, "starts_on", None), getattr(self, "ends_on", None)
        if starts is not None and ends is not None and ends < starts:
            raise ValueError("ends_on is before starts_on")
        return self


class CampaignCreate(_CampaignFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CAMPAIGN_EXAMPLE]})

    name: str = Field(min_length=1, max_length=200)
    brand_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    brief: MultilineStr = Field(default="", max_length=5000)
    objective: Objective = "conversions"
    target_audience: TargetIn | None = Field(default=None, description=_TARGET_DOC)
    platforms: list[Platform] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list, max_length=250)
    languages: list[str] = Field(default_factory=list, max_length=50)
    budget: Money | None = None
    currency: str = Field(default="USD", pattern="^[A-Z]{3}$")
    starts_on: Day | None = None
    ends_on: Day | None = None
    excluded_creator_ids: list[Id] = Field(default_factory=list, max_length=100_000)
    competitor_brands: list[str] = Field(default_factory=list, max_length=100)
    brand_safety: list[BrandSafety] = Field(default_factory=list, max_length=20)


class CampaignUpdate(_CampaignFields):
    """Only the fields given change; ``null`` clears a list or an optional field."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"budget": "25000.00", "excluded_creator_ids": [42]}]},
    )

    name: str = Omittable(min_length=1, max_length=200)
    brand_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    brief: MultilineStr = Omittable(max_length=5000)
    objective: Objective = Omittable()
    target_audience: TargetIn | None = Field(default=None, description=_TARGET_DOC)
    platforms: list[Platform] | None = None
    countries: list[str] | None = Field(default=None, max_length=250)
    languages: list[str] | None = Field(default=None, max_length=50)
    budget: Money | None = None
    currency: str = Omittable(pattern="^[A-Z]{3}$")
    starts_on: Day | None = None
    ends_on: Day | None = None
    excluded_creator_ids: list[Id] | None = Field(default=None, max_length=100_000)
    competitor_brands: list[str] | None = Field(default=None, max_length=100)
    brand_safety: list[BrandSafety] | None = Field(default=None, max_length=20)


class CampaignRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    **_CAMPAIGN_EXAMPLE,
                    "created_at": "2026-11-02T10:20:00Z",
                    "modified_at": "2026-11-03T08:05:00Z",
                }
            ]
        }
    )

    id: int
    name: str
    brand_id: int | None
    brief: str
    objective: str
    target_audience: dict[str, Any] | None
    platforms: list[str]
    countries: list[str]
    languages: list[str]
    budget: Decimal | None
    currency: str
    starts_on: date | None
    ends_on: date | None
    excluded_creator_ids: list[int]
    competitor_brands: list[str]
    brand_safety: list[str]
    created_at: datetime
    modified_at: datetime

    @classmethod
    def from_row(cls, c: Campaign) -> CampaignRead:
        return cls.model_validate(c, from_attributes=True)
