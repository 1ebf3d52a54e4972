"""Brands and campaigns: create, read, update, delete, and a campaign's match inputs.

A campaign stores what a recruiter would otherwise retype with every match: the brief, the
objective, the target audience, platforms, languages, competitors, brand-safety categories
and creators to leave out. :meth:`CampaignService.match_inputs` turns it into the matcher's
:class:`~matcher.brief.Brief` and :class:`~matcher.service.MatchFilters`.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import ConflictError, InvalidInputError
from matcher.brief import Brief, TargetAudience
from matcher.scoring import BRAND_SAFETY_KEYWORDS
from matcher.service import (
    IndexNotReadyError,
    MatchFilters,
    MatchPage,
    MatchService,
    brief_from_request,
)
from models import Brand, Campaign
from storage.repositories.campaigns import BrandRepository, CampaignRepository
from storage.repositories.outreach import OutreachRepository

__all__ = [
    "BrandService",
    "CampaignMatchInputs",
    "CampaignService",
    "MatchQuery",
    "Search",
    "SearchRequest",
]

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

    def find(self, session: Session, organization_id: int, brand_id: int) -> Brand | None:
        """The brand, or None when the organisation has none with this id (deleted)."""
        return BrandRepository(session).get(organization_id, brand_id)

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
    """A campaign as the matcher reads it; ``explicit`` names the wishes the campaign sets
    in its own fields (not read from its brief's text)."""

    brief: Brief
    filters: MatchFilters
    explicit: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MatchQuery:
    """One search, resolved: the brief the matcher reads, the hard filters, and where each
    wish came from (``brief``: read from the text; ``campaign``: the stored campaign's
    fields; ``request``: given explicitly with the request)."""

    brief: Brief
    filters: MatchFilters
    sources: Mapping[str, str]


@dataclass(frozen=True)
class SearchRequest:
    """What a search asks for, as the API's body or the search form gives it: a brief text,
    a campaign, or both, with the wishes given explicitly."""

    text: str | None
    campaign_id: int | None = None
    filters: MatchFilters | None = None
    objective: str | None = None
    target: Mapping[str, Any] | None = None
    competitor_brands: Sequence[str] = ()
    brand_safety: Sequence[str] = ()


@dataclass(frozen=True)
class Search:
    """A search run: the request as merged (:class:`MatchQuery`) and the page of results."""

    query: MatchQuery
    page: MatchPage


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
        starts, ends = merged.get("starts_on"), merged.get("ends_on")
        one_given = ("starts_on" in fields) != ("ends_on" in fields)
        if one_given and starts is not None and ends is not None and ends < starts:
            # One date against the stored other: the campaign's state, not the request, is
            # at odds (both dates in one request are checked as input, a 422).
            raise ConflictError(
                f"campaign {campaign_id} would end on {ends}, before it starts on {starts}: "
                "change both dates together"
            )
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

    def match_reasons(
        self,
        session: Session,
        organization_id: int,
        campaign_id: int,
        creator_ids: Sequence[int],
        *,
        matcher: MatchService,
        n: int = 3,
    ) -> dict[int, builtins.list[str]]:
        """The matcher's top ``n`` reasons for each creator against the campaign's brief
        (empty when the organisation's index is not loaded yet: an e-mail then says less,
        never something invented). The API's drafts and the recruiter's pages both call it."""
        inputs = self.match_inputs(session, organization_id, campaign_id)
        try:
            hits = matcher.explain(session, organization_id, inputs.brief, creator_ids)
        except IndexNotReadyError:
            return {cid: [] for cid in creator_ids}
        return {cid: (hits[cid].top_reasons(n) if cid in hits else []) for cid in creator_ids}

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
        explicit = {
            name
            for name, given in (
                ("objective", campaign.objective),
                ("countries", target.get("countries")),
                ("genders", target.get("genders")),
                ("age", target.get("age")),
                ("interests", target.get("interests")),
                ("budget", campaign.budget),
                ("platforms", campaign.platforms),
                ("languages", campaign.languages),
                ("competitors", competitors),
                ("brand_safety", campaign.brand_safety),
            )
            if given
        }
        return CampaignMatchInputs(brief=brief, filters=filters, explicit=frozenset(explicit))

    def match_query(
        self, session: Session, organization_id: int, request: SearchRequest
    ) -> MatchQuery:
        """The search a request asks for, the same for the API and the pages: what the
        request gives explicitly wins, then the campaign's own fields, then what the text
        says (the request's text, else the campaign's brief). A campaign's filters and the
        request's add up (a list the request gives replaces the campaign's)."""
        text, campaign_id, objective, target = (
            request.text,
            request.campaign_id,
            request.objective,
            request.target,
        )
        competitor_brands, brand_safety = request.competitor_brands, request.brand_safety
        given = request.filters or MatchFilters()
        if campaign_id is None:
            if not (text or "").strip():
                raise InvalidInputError.for_field("brief", "give a brief or a campaign")
            brief = brief_from_request(
                str(text),
                objective=objective,
                target=target,
                competitor_brands=competitor_brands,
                brand_safety=brand_safety,
            )
            sources = _sources(
                brief,
                frozenset(),
                _explicit_request(objective, target, competitor_brands, brand_safety),
            )
            return MatchQuery(brief, given, sources)
        stored = self.match_inputs(session, organization_id, campaign_id)
        parsed = brief_from_request(text) if text and text.strip() else stored.brief
        campaign = stored.brief
        # The campaign's own fields over what the text says...
        brief = parsed.merge(
            objective=campaign.objective if "objective" in stored.explicit else None,
            target=_merged_target(parsed, campaign, stored.explicit),
            budget=campaign.budget if "budget" in stored.explicit else None,
            currency=campaign.currency if "budget" in stored.explicit else None,
            platforms=campaign.platforms if "platforms" in stored.explicit else None,
            languages=campaign.languages if "languages" in stored.explicit else None,
            competitor_brands=campaign.competitor_brands
            if "competitors" in stored.explicit
            else None,
            brand_safety=campaign.brand_safety if "brand_safety" in stored.explicit else None,
        )
        # ... and what the request gives over both.
        brief = brief.merge(
            objective=objective,
            target=target,
            competitor_brands=tuple(competitor_brands) or None,
            brand_safety=tuple(brand_safety) or None,
        )
        merged_filters = replace(
            given,
            platforms=given.platforms or stored.filters.platforms,
            languages=given.languages or stored.filters.languages,
            exclude_creator_ids=tuple(
                dict.fromkeys((*stored.filters.exclude_creator_ids, *given.exclude_creator_ids))
            ),
        )
        sources = _sources(
            brief,
            stored.explicit,
            _explicit_request(objective, target, competitor_brands, brand_safety),
        )
        return MatchQuery(brief, merged_filters, sources)

    def search(
        self,
        session: Session,
        organization_id: int,
        request: SearchRequest,
        *,
        matcher: MatchService,
        weights: Mapping[str, float] | None = None,
        k: int = 20,
        offset: int = 0,
    ) -> Search:
        """Merge the request with its campaign (:meth:`match_query`) and run the match on
        the loaded index: the one call behind ``POST /v1/match`` and the search page.

        Raises:
            IndexNotReadyError: the organisation's index is not loaded yet.
            InvalidInputError: no brief and no campaign, or a bad field, named.
        """
        query = self.match_query(session, organization_id, request)
        page = matcher.match(
            session,
            organization_id,
            query.brief,
            filters=query.filters,
            sources=query.sources,
            weights=weights,
            k=k,
            offset=offset,
            build=False,
        )
        return Search(query, page)


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


_TARGET_PARTS = ("countries", "genders", "age", "interests")


def _merged_target(parsed: Brief, campaign: Brief, explicit: frozenset[str]) -> TargetAudience:
    """The text's target audience with the parts the campaign sets replaced."""
    return TargetAudience(
        age=campaign.target.age if "age" in explicit else parsed.target.age,
        genders=campaign.target.genders if "genders" in explicit else parsed.target.genders,
        countries=(
            campaign.target.countries if "countries" in explicit else parsed.target.countries
        ),
        interests=(
            campaign.target.interests if "interests" in explicit else parsed.target.interests
        ),
    )


def _explicit_request(
    objective: str | None,
    target: Mapping[str, Any] | None,
    competitor_brands: Sequence[str],
    brand_safety: Sequence[str],
) -> frozenset[str]:
    names = {name for name in _TARGET_PARTS if target and target.get(name)}
    if objective:
        names.add("objective")
    if competitor_brands:
        names.add("competitors")
    if brand_safety:
        names.add("brand_safety")
    return frozenset(names)


def _sources(brief: Brief, campaign: frozenset[str], request: frozenset[str]) -> dict[str, str]:
    """Where each wish the brief holds came from."""
    present = {
        "objective": brief.objective is not None,
        "countries": bool(brief.target.countries),
        "genders": bool(brief.target.genders),
        "age": bool(brief.target.age),
        "interests": bool(brief.target.interests),
        "budget": brief.budget is not None,
        "platforms": bool(brief.platforms),
        "languages": bool(brief.languages),
        "competitors": bool(brief.competitor_brands),
        "brand_safety": bool(brief.brand_safety),
    }
    return {
        name: "request" if name in request else "campaign" if name in campaign else "brief"
        for name, there in present.items()
        if there
    }


def _nonempty(values: Sequence[str]) -> tuple[str, ...] | None:
    return tuple(values) if values else None
