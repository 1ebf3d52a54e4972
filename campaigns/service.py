"""Brands and campaigns: create, read, update, delete, and a campaign's match inputs.

A campaign stores what a recruiter would otherwise retype with every match: the brief, the
objective, the target audience, platforms, languages, competitors, brand-safety categories
and creators to leave out. :meth:`CampaignService.match_inputs` turns it into the matcher's
:class:`~matcher.brief.Brief` and :class:`~matcher.service.MatchFilters`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import ConflictError, InvalidInputError
from matcher.brief import Brief, TargetAudience
from matcher.scoring import BRAND_SAFETY_KEYWORDS
from matcher.service import MatchFilters, brief_from_request
from models import Brand, Campaign
from storage.repositories.campaigns import BrandRepository, CampaignRepository
from storage.repositories.outreach import OutreachRepository

__all__ = ["BrandService", "CampaignMatchInputs", "CampaignService"]

_BRAND_FIELDS = ("name", "website", "categories", "competitors")
_CAMPAIGN_FIELDS = (
    "brand_id",
    "name",
    "brief",
    "objective",
    "target_audience",
    "platforms",
    "countries",
    "languages",
    "budget",
    "currency",
    "starts_on",
    "ends_on",
    "excluded_creator_ids",
    "competitor_brands",
    "brand_safety",
)


class BrandService:
    def get(self, session: Session, organization_id: int, brand_id: int) -> Brand:
        return BrandRepository(session).get_or_raise(organization_id, brand_id)

    def list(
        self, session: Session, organization_id: int, *, after_id: int | None, limit: int
    ) -> list[Brand]:
        return BrandRepository(session).list(organization_id, after_id=after_id, limit=limit)

    def create(self, session: Session, organization_id: int, fields: Mapping[str, Any]) -> Brand:
        repo = BrandRepository(session)
        name = str(fields["name"])
        if repo.get_by_name(organization_id, name) is not None:
            raise ConflictError(f"a brand named {name!r} already exists")
        values = {k: fields[k] for k in _BRAND_FIELDS if k in fields and fields[k] is not None}
        return repo.add(Brand(organization_id=organization_id, **values))

    def update(
        self, session: Session, organization_id: int, brand_id: int, fields: Mapping[str, Any]
    ) -> Brand:
        repo = BrandRepository(session)
        brand = repo.get_or_raise(organization_id, brand_id)
        name = fields.get("name")
        if name is not None and name != brand.name:
            other = repo.get_by_name(organization_id, str(name))
            if other is not None:
                raise ConflictError(f"a brand named {name!r} already exists")
        for key in _BRAND_FIELDS:
            if key in fields:
                if fields[key] is None and key == "name":
                    raise InvalidInputError.for_field("name", "a brand needs a name")
                setattr(brand, key, fields[key] if fields[key] is not None else _empty(key))
        session.flush()
        return brand

    def delete(self, session: Session, organization_id: int, brand_id: int) -> None:
        repo = BrandRepository(session)
        repo.delete(repo.get_or_raise(organization_id, brand_id))


def _empty(key: str) -> Any:
    return [] if key in ("categories", "competitors") else None


@dataclass(frozen=True)
class CampaignMatchInputs:
    """A campaign as the matcher reads it."""

    brief: Brief
    filters: MatchFilters


def _check(fields: Mapping[str, Any]) -> None:
    """Cross-field checks the request schema cannot make on its own."""
    target = fields.get("target_audience")
    if target:
        try:
            TargetAudience.from_mapping(target)
        except InvalidInputError as exc:
            # from_mapping names "target.<key>"; here the field is target_audience.<key>
            errors = [
                replace(e, field="target_audience." + (e.field or "").removeprefix("target."))
                for e in exc.errors
            ]
            raise InvalidInputError("; ".join(e.describe() for e in errors), errors) from None
    unknown = [c for c in fields.get("brand_safety") or () if c not in BRAND_SAFETY_KEYWORDS]
    if unknown:
        raise InvalidInputError.for_field(
            "brand_safety",
            f"unknown categories {unknown}; use some of {sorted(BRAND_SAFETY_KEYWORDS)}",
        )
    starts, ends = fields.get("starts_on"), fields.get("ends_on")
    if starts is not None and ends is not None and ends < starts:
        raise InvalidInputError.for_field("ends_on", "the campaign ends before it starts")


class CampaignService:
    def get(self, session: Session, organization_id: int, campaign_id: int) -> Campaign:
        return CampaignRepository(session).get_or_raise(organization_id, campaign_id)

    def list(
        self,
        session: Session,
        organization_id: int,
        *,
        brand_id: int | None = None,
        after_id: int | None,
        limit: int,
    ) -> list[Campaign]:
        return CampaignRepository(session).list(
            organization_id, brand_id=brand_id, after_id=after_id, limit=limit
        )

    def create(self, session: Session, organization_id: int, fields: Mapping[str, Any]) -> Campaign:
        _check(fields)
        if fields.get("brand_id") is not None:
            BrandRepository(session).get_or_raise(organization_id, int(fields["brand_id"]))
        values = {k: fields[k] for k in _CAMPAIGN_FIELDS if k in fields and fields[k] is not None}
        try:
            return CampaignRepository(session).add(
                Campaign(organization_id=organization_id, **values)
            )
        except IntegrityError as exc:  # pragma: no cover - the checks above come first
            raise ConflictError("the campaign conflicts with stored data") from exc

    def update(
        self,
        session: Session,
        organization_id: int,
        campaign_id: int,
        fields: Mapping[str, Any],
    ) -> Campaign:
        campaign = CampaignRepository(session).get_or_raise(organization_id, campaign_id)
        merged = {k: getattr(campaign, k) for k in _CAMPAIGN_FIELDS} | dict(fields)
        _check(merged)
        if fields.get("brand_id") is not None:
            BrandRepository(session).get_or_raise(organization_id, int(fields["brand_id"]))
        for key in _CAMPAIGN_FIELDS:
            if key not in fields:
                continue
            value = fields[key]
            if value is None and key in _REQUIRED:
                raise InvalidInputError.for_field(key, "may not be null")
            setattr(campaign, key, _LIST_DEFAULT.get(key) if value is None else value)
        session.flush()
        return campaign

    def delete(self, session: Session, organization_id: int, campaign_id: int) -> None:
        repo = CampaignRepository(session)
        repo.delete(repo.get_or_raise(organization_id, campaign_id))

    def match_inputs(
        self, session: Session, organization_id: int, campaign_id: int
    ) -> CampaignMatchInputs:
        """The campaign's brief and hard filters. Competitors are the campaign's plus its
        brand's; the campaign's target audience, objective and countries override what the
        brief text says. Creators already contacted for this campaign and creators who opted
        out of the organisation's e-mail are excluded."""
        campaign = self.get(session, organization_id, campaign_id)
        brand = (
            BrandRepository(session).get(organization_id, campaign.brand_id)
            if campaign.brand_id is not None
            else None
        )
        competitors = list(
            dict.fromkeys([*campaign.competitor_brands, *(brand.competitors if brand else [])])
        )
        target = dict(campaign.target_audience or {})
        if campaign.countries and not target.get("countries"):
            target["countries"] = list(campaign.countries)
        text = campaign.brief.strip() or campaign.name
        brief = brief_from_request(
            text,
            objective=campaign.objective,
            target=target or None,
            competitor_brands=competitors,
            brand_safety=campaign.brand_safety,
            budget=float(campaign.budget) if campaign.budget is not None else None,
        )
        brief = brief.merge(
            currency=campaign.currency if campaign.budget is not None else None,
            platforms=_nonempty(campaign.platforms),
            languages=_nonempty(campaign.languages),
        )
        # Left out: the campaign's own exclusions, creators it has already written to, and
        # creators who opted out of the organisation's e-mail.
        outreach = OutreachRepository(session)
        excluded = dict.fromkeys(
            [
                *campaign.excluded_creator_ids,
                *outreach.contacted_creator_ids(organization_id, campaign.id),
                *outreach.opted_out_ids(organization_id),
            ]
        )
        filters = MatchFilters(
            platforms=tuple(campaign.platforms),
            languages=tuple(campaign.languages),
            exclude_creator_ids=tuple(excluded),
        )
        return CampaignMatchInputs(brief=brief, filters=filters)


_REQUIRED = frozenset({"name", "brief", "objective", "currency"})
_LIST_DEFAULT: dict[str, Any] = {
    key: []
    for key in (
        "platforms",
        "countries",
        "languages",
        "excluded_creator_ids",
        "competitor_brands",
        "brand_safety",
    )
}


def _nonempty(values: Sequence[str]) -> tuple[str, ...] | None:
    return tuple(values) if values else None
