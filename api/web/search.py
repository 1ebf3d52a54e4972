"""The search pages: rank creators for a brief, read a creator's profile with its lookalikes,
and add creators to a campaign's shortlist (its outreach pipeline, at ``prospect``).

The pages make the same service calls as ``POST /v1/match``,
``POST /v1/creators/{id}/similar`` and ``POST /v1/campaigns/{id}/pipeline``. The search form
is a GET, so a search is a link a recruiter can share.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.schemas.matching import MatchResultRead
from api.web.pages import (
    FormUser,
    RecruiterUser,
    WebUser,
    outreach_service,
    redirect,
    render,
    require_role,
    safe_next,
)
from campaigns.service import CampaignService, SearchRequest
from core.errors import InvalidInputError
from core.tiers import Tier, tier_for_followers
from creators.record import AGE_BANDS, GENDERS, Platform
from creators.service import CreatorService
from matcher.brief import Brief
from matcher.features import format_count, format_pct
from matcher.ranking import MatchHit
from matcher.scorer import COMPONENTS
from matcher.service import (
    CreatorNotIndexedError,
    IndexNotReadyError,
    MatchFilters,
    MatchService,
    brief_from_request,
)
from models import Campaign, Creator

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

campaigns = CampaignService()
creators = CreatorService()

PAGE_SIZE = 20
LOOKALIKES = 8
MAX_BRIEF = 5000
# How many of the organisation's campaigns the shortlist and prefill selects offer.
MAX_CAMPAIGNS = 200

COMPONENT_LABELS: dict[str, str] = {
    "niche_fit": "Niche fit",
    "audience_fit": "Audience fit",
    "engagement_quality": "Engagement",
    "authenticity": "Authenticity",
    "cost_efficiency": "Cost",
    "brand_safety": "Brand safety",
    "conflicts": "No conflicts",
    "tier_fit": "Tier fit",
}
assert set(COMPONENT_LABELS) == set(COMPONENTS), "a score component has no label"

OBJECTIVE_LABELS: dict[str, str] = {
    "awareness": "Awareness",
    "launch": "Launch",
    "pr": "PR",
    "conversions": "Conversions",
    "community": "Community",
    "niche_product": "Niche product",
    "trusted_reviews": "Trusted reviews",
}
PLATFORM_LABELS: dict[str, str] = {
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "x": "X",
    "twitch": "Twitch",
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "pinterest": "Pinterest",
    "snapchat": "Snapchat",
    "podcast": "Podcast",
    "blog": "Blog",
}
PLATFORM_OPTIONS = [(p.value, PLATFORM_LABELS.get(p.value, p.value)) for p in Platform]
TIER_LABELS: dict[str, str] = {
    "emerging": "Emerging (<1K)",
    "nano": "Nano (1K-10K)",
    "micro": "Micro (10K-100K)",
    "mid": "Mid (100K-500K)",
    "macro": "Macro (500K-1M)",
    "mega": "Mega (1M+)",
}
FIELD_LABELS: dict[str, str] = {
    "brief": "Brief",
    "campaign_id": "Campaign",
    "objective": "Objective",
    "platforms": "Platforms",
    "tiers": "Tiers",
    "countries": "Creator countries",
    "languages": "Languages",
    "min_followers": "Min followers",
    "max_followers": "Max followers",
    "min_engagement": "Min engagement (%)",
    "max_cost_usd": "Max cost per post (USD)",
}
# The profile is not scored against a brief; this neutral text asks the matcher for the
# brief-independent components (authenticity, brand safety in every category, engagement).
_PROFILE_BRIEF = "creator profile review"
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_SPLIT = re.compile(r"[\s,;]+")
# Fields of the matcher's errors -> the form's fields.
_FORM_FIELDS = {"brief": "brief", "text": "brief", "objective": "objective"}


def _matcher(request: Request) -> MatchService:
    service: MatchService = request.app.state.matcher
    return service


def _campaign_options(session: Session, user: WebUser) -> list[Campaign]:
    return campaigns.list(session, user.organization_id, after_id=None, limit=MAX_CAMPAIGNS)


# ------------------------------------------------------------------------------ the form


@dataclass
class SearchForm:
    """What the recruiter typed, kept as text so a wrong value is shown back as typed."""

    brief: str = ""
    campaign_id: str = ""
    objective: str = ""
    platforms: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    countries: str = ""
    languages: str = ""
    min_followers: str = ""
    max_followers: str = ""
    min_engagement: str = ""
    max_cost_usd: str = ""
    offset: str = ""

    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[str, str]]) -> SearchForm:
        form = cls()
        for key, value in pairs:
            if key in ("platforms", "tiers"):
                getattr(form, key).append(value)
            elif key in {f.name for f in fields(cls)}:
                setattr(form, key, value.strip() if key != "brief" else value)
        return form

    def filter_query(self) -> list[tuple[str, str]]:
        """The filters as query pairs (no brief, campaign or offset)."""
        pairs: list[tuple[str, str]] = [("platforms", p) for p in self.platforms]
        pairs += [("tiers", t) for t in self.tiers]
        for name in (
            "objective",
            "countries",
            "languages",
            "min_followers",
            "max_followers",
            "min_engagement",
            "max_cost_usd",
        ):
            value = getattr(self, name)
            if value:
                pairs.append((name, value))
        return pairs

    def query(self, **changes: str) -> str:
        """This search as a query string, with ``changes`` applied (empty drops a field)."""
        base: list[tuple[str, str]] = [("brief", self.brief.strip())] if self.brief.strip() else []
        if self.campaign_id:
            base.append(("campaign_id", self.campaign_id))
        base += self.filter_query()
        if self.offset:
            base.append(("offset", self.offset))
        names = set(changes)
        kept = [(k, v) for k, v in base if k not in names]
        kept += [(k, v) for k, v in changes.items() if v]
        return urlencode(kept)

    @property
    def has_filters(self) -> bool:
        return any(v for k, v in self.filter_query() if k != "objective")


def _number(text: str, name: str, errors: dict[str, str], *, integer: bool, low: float = 0) -> Any:
    if not text:
        return None
    cleaned = text.replace(",", "").replace("_", "").replace(" ", "")
    try:
        value = int(cleaned) if integer else float(cleaned)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        errors[name] = f"{text!r} is not {kind}"
        return None
    if value < low or value != value or value in (float("inf"), float("-inf")):
        errors[name] = f"must be {low:g} or more"
        return None
    return value


def parse_filters(form: SearchForm) -> tuple[MatchFilters, dict[str, str]]:
    """The hard filters of the form, and an error message per field that could not be read."""
    errors: dict[str, str] = {}
    known_platforms = {p.value for p in Platform}
    platforms = [p for p in form.platforms if p in known_platforms]
    if len(platforms) != len(form.platforms):
        errors["platforms"] = "unknown platform: " + ", ".join(
            p for p in form.platforms if p not in known_platforms
        )
    known_tiers = {t.value for t in Tier}
    tiers = [Tier(t) for t in form.tiers if t in known_tiers]
    if len(tiers) != len(form.tiers):
        errors["tiers"] = "unknown tier: " + ", ".join(
            t for t in form.tiers if t not in known_tiers
        )
    countries = [c.upper() for c in _SPLIT.split(form.countries) if c]
    wrong = [c for c in countries if not _COUNTRY.match(c)]
    if wrong:
        errors["countries"] = (
            f"{', '.join(wrong)}: use two-letter country codes separated by commas, e.g. US, DE"
        )
    languages = [lang.lower() for lang in _SPLIT.split(form.languages) if lang]
    wrong = [lang for lang in languages if not _LANGUAGE.match(lang)]
    if wrong:
        errors["languages"] = (
            f"{', '.join(wrong)}: use two-letter language codes separated by commas, e.g. en, de"
        )
    min_followers = _number(form.min_followers, "min_followers", errors, integer=True)
    max_followers = _number(form.max_followers, "max_followers", errors, integer=True)
    if min_followers is not None and max_followers is not None and min_followers > max_followers:
        errors["max_followers"] = "must be at least the minimum followers"
    min_engagement = _number(form.min_engagement, "min_engagement", errors, integer=False)
    if min_engagement is not None and min_engagement > 100:
        errors["min_engagement"] = "a percentage: 100 or less"
    max_cost = _number(form.max_cost_usd, "max_cost_usd", errors, integer=False)
    if form.objective and form.objective not in OBJECTIVE_LABELS:
        errors["objective"] = f"unknown objective {form.objective!r}"
    if len(form.brief) > MAX_BRIEF:
        errors["brief"] = f"the brief is {len(form.brief)} characters; at most {MAX_BRIEF}"
    if form.campaign_id and not form.campaign_id.isdigit():
        errors["campaign_id"] = "pick a campaign from the list"
    filters = MatchFilters(
        platforms=tuple(platforms),
        tiers=tuple(tiers),
        min_followers=min_followers,
        max_followers=max_followers,
        countries=tuple(countries),
        languages=tuple(languages),
        min_engagement=None if min_engagement is None else min_engagement / 100,
        max_cost_usd=max_cost,
    )
    return filters, errors


# --------------------------------------------------------------------------- the results


@dataclass(frozen=True)
class ComponentView:
    name: str
    label: str
    score: float | None
    weight: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ResultView:
    """One ranked creator as the results list shows it."""

    rank: int
    creator_id: int
    handle: str
    display_name: str | None
    platform: str
    tier: str | None
    followers: str
    country: str | None
    engagement: str
    cost: str
    score: float
    components: tuple[ComponentView, ...]
    reasons: tuple[str, ...]
    flags: tuple[str, ...]


def _engagement_text(record: Mapping[str, Any], components: Mapping[str, Any]) -> str:
    rate = record.get("engagement_rate")
    if rate is None:
        details = components.get("engagement_quality")
        rate = details.get("engagement_rate") if details else None
    return format_pct(float(rate)) if rate is not None else "unknown"


def _cost_text(details: Mapping[str, Any] | None) -> str:
    if not details or details.get("cost_per_post_usd") is None:
        return "unknown"
    cost = float(details["cost_per_post_usd"])
    text = f"${cost:,.0f}"
    return text + " (benchmark estimate)" if details.get("cost_source") == "benchmark" else text


def result_view(rank: int, hit: MatchHit) -> ResultView:
    """A hit with what the API answers for it (``MatchResultRead.from_hit``) and the figures
    a list shows."""
    read = MatchResultRead.from_hit(rank, hit)
    details = {c.name: c.details for c in hit.components}
    followers = hit.creator.get("followers")
    return ResultView(
        rank=rank,
        creator_id=read.creator_id,
        handle=read.handle,
        display_name=read.display_name,
        platform=read.platform,
        tier=read.tier.value if read.tier else None,
        followers=format_count(followers) if followers is not None else "unknown",
        country=read.country,
        engagement=_engagement_text(hit.creator, details),
        cost=_cost_text(details.get("cost_efficiency")),
        score=read.score,
        components=tuple(
            ComponentView(name, COMPONENT_LABELS[name], c.score, c.weight, tuple(c.reasons))
            for name in COMPONENTS
            if (c := read.components.get(name)) is not None
        ),
        reasons=tuple(read.reasons),
        flags=tuple(read.flags),
    )


def _filter_source(
    applied: tuple[str, ...],
    from_text: tuple[str, ...],
    sources: Mapping[str, str],
    wish: str,
) -> str:
    if sources.get(wish) == "campaign":
        return " (from the campaign)"
    return " (from the brief)" if applied and applied == from_text else ""


def _describe_filters(
    filters: MatchFilters, brief: Brief, sources: Mapping[str, str] | None = None
) -> list[str]:
    """The active filters in words, for "loosen these" when nothing matched."""
    sources = sources or {}
    out: list[str] = []
    if filters.platforms:
        source = _filter_source(filters.platforms, brief.only_platforms, sources, "platforms")
        out.append("platforms: " + ", ".join(filters.platforms) + source)
    if filters.tiers:
        out.append("tiers: " + ", ".join(t.value for t in filters.tiers))
    if filters.countries:
        out.append("countries: " + ", ".join(filters.countries))
    if filters.languages:
        source = _filter_source(filters.languages, brief.languages, sources, "languages")
        out.append("languages: " + ", ".join(filters.languages) + source)
    if filters.min_followers is not None:
        out.append(f"at least {filters.min_followers:,} followers")
    if filters.max_followers is not None:
        out.append(f"at most {filters.max_followers:,} followers")
    if filters.min_engagement is not None:
        out.append(f"engagement at least {format_pct(filters.min_engagement)}")
    if filters.max_cost_usd is not None:
        out.append(f"cost at most ${filters.max_cost_usd:,.0f} a post")
    if filters.exclude_creator_ids:
        out.append(
            f"{len(filters.exclude_creator_ids)} creators left out by the campaign "
            "(excluded, already contacted or opted out)"
        )
    return out


@dataclass
class SearchOutcome:
    brief_text: str = ""
    results: list[ResultView] = field(default_factory=list)
    ran: bool = False
    index_missing: str = ""
    understood: list[str] = field(default_factory=list)
    active_filters: list[str] = field(default_factory=list)
    next_offset: int | None = None
    candidates: int = 0
    competitor_excluded: int = 0


def _source(sources: Mapping[str, str], wish: str) -> str:
    where = sources.get(wish, "brief")
    return {"campaign": " (from the campaign)", "request": " (set on this search)"}.get(where, "")


def _understood(brief: Brief, sources: Mapping[str, str]) -> list[str]:
    """What the matcher read from the brief (and took from the campaign), so the recruiter
    can check it; values that came from the campaign say so."""
    out: list[str] = []
    if brief.objective:
        label = OBJECTIVE_LABELS.get(brief.objective.value, brief.objective)
        out.append(f"objective: {label}{_source(sources, 'objective')}")
    target = brief.target
    if target.age:
        ages = ", ".join(band for band, _w in target.age)
        out.append(f"ages: {ages}{_source(sources, 'age')}")
    if target.genders:
        out.append(f"audience: {', '.join(target.genders)}{_source(sources, 'genders')}")
    if target.countries:
        out.append(f"audience in: {', '.join(target.countries)}{_source(sources, 'countries')}")
    if target.interests:
        out.append(f"interests: {', '.join(target.interests)}{_source(sources, 'interests')}")
    if brief.budget is not None:
        budget = f"{brief.budget:,.0f} {brief.currency or ''}".rstrip()
        out.append(f"budget: {budget}{_source(sources, 'budget')}")
    if brief.creators_wanted:
        out.append(f"creators wanted: {brief.creators_wanted}")
    if brief.tiers:
        out.append("tiers: " + ", ".join(brief.tiers))
    if brief.min_engagement is not None:
        out.append(f"engagement at least {brief.min_engagement:.1%}")
    if brief.platforms and not brief.only_platforms:
        out.append(f"platforms preferred: {', '.join(brief.platforms)}")
    if brief.excluded_topics:
        out.append("ruled out: " + ", ".join(brief.excluded_topics))
    if brief.competitor_brands:
        out.append(f"competitors: {', '.join(brief.competitor_brands)}")
    if brief.niche_text:
        out.append(f"searching for: {brief.niche_text}")
    return out


def run_search(
    request: Request,
    session: Session,
    user: WebUser,
    form: SearchForm,
    errors: dict[str, str],
) -> SearchOutcome:
    """The match the form asks for (nothing when it has errors or neither brief nor
    campaign); the same calls as ``POST /v1/match``."""
    filters, parse_errors = parse_filters(form)
    errors.update(parse_errors)
    outcome = SearchOutcome(brief_text=form.brief)
    if parse_errors or not (form.brief.strip() or form.campaign_id):
        return outcome
    offset = int(form.offset) if form.offset.isdigit() else 0
    objective = form.objective or None
    try:
        found = campaigns.search(
            session,
            user.organization_id,
            SearchRequest(
                text=form.brief.strip() or None,
                campaign_id=int(form.campaign_id) if form.campaign_id else None,
                filters=filters,
                objective=objective,
            ),
            matcher=_matcher(request),
            k=PAGE_SIZE,
            offset=offset,
        )
        query, page = found.query, found.page
        if form.campaign_id and not form.brief.strip():
            outcome.brief_text = query.brief.text
    except IndexNotReadyError as exc:
        outcome.index_missing = exc.message
        return outcome
    except InvalidInputError as exc:
        for error in exc.errors:
            errors.setdefault(_FORM_FIELDS.get(error.field or "", "brief"), error.message)
        return outcome
    outcome.ran = True
    outcome.results = [result_view(offset + i + 1, hit) for i, hit in enumerate(page.hits)]
    outcome.understood = _understood(page.brief, query.sources)
    outcome.active_filters = _describe_filters(page.applied_filters, page.brief, query.sources)
    outcome.next_offset = page.next_offset
    outcome.candidates = page.total_candidates
    outcome.competitor_excluded = len(page.competitor_excluded)
    return outcome


def _search_page(
    request: Request,
    session: Session,
    user: WebUser,
    form: SearchForm,
    *,
    errors: dict[str, str] | None = None,
    shortlist: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found_errors = dict(errors or {})
    outcome = run_search(request, session, user, form, found_errors)
    options = _campaign_options(session, user)
    shortlist_state = {
        "campaign_id": form.campaign_id,
        "creator_ids": [],
        **(shortlist or {}),
    }
    shortlist_fields = ("creator_ids", "shortlist_campaign")
    if found_errors and status_code == 200:
        status_code = 422
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "errors": {k: v for k, v in found_errors.items() if k not in shortlist_fields},
            "shortlist_errors": {k: v for k, v in found_errors.items() if k in shortlist_fields},
            "outcome": outcome,
            "campaigns": options,
            "campaign_options": [(str(c.id), c.name) for c in options],
            "field_labels": FIELD_LABELS,
            "page_size": PAGE_SIZE,
            "shortlist": shortlist_state,
            "platform_options": [
                (p.value, PLATFORM_LABELS.get(p.value, p.value)) for p in Platform
            ],
            "tier_options": list(TIER_LABELS.items()),
            "objective_options": [("", "From the brief"), *OBJECTIVE_LABELS.items()],
            "this_url": "/search" + (f"?{form.query()}" if form.query() else ""),
            "more_url": (
                f"/search?{form.query(offset=str(outcome.next_offset))}"
                if outcome.next_offset
                else ""
            ),
            "unfiltered_url": "/search?"
            + urlencode(
                [("brief", form.brief.strip())]
                + ([("campaign_id", form.campaign_id)] if form.campaign_id else [])
            ),
        },
        status_code=status_code,
    )


@router.get("/search")
def search_page(request: Request, user: RecruiterUser, session: SessionDep) -> HTMLResponse:
    """The search form and, for a brief or a campaign, the ranked creators."""
    form = SearchForm.from_pairs(list(request.query_params.multi_items()))
    return _search_page(request, session, user, form)


# ---------------------------------------------------------------------------- the profile


@dataclass(frozen=True)
class PostView:
    text: str
    posted_on: str
    likes: str
    comments: str
    views: str
    engagement: str
    url: str | None


def _shares(value: Any, order: Sequence[str] = (), limit: int = 8) -> list[tuple[str, float]]:
    """(label, share) rows in ``order``, else largest first (JSON columns on PostgreSQL do
    not keep the keys' order)."""
    if not isinstance(value, Mapping):
        return []
    rows = [(str(k), float(v)) for k, v in value.items() if isinstance(v, int | float)]
    rank = {label: i for i, label in enumerate(order)}
    rows.sort(key=lambda r: (rank.get(r[0], len(rank)), -r[1] if not rank else 0, r[0]))
    return rows[:limit]


def _count(value: Any) -> str:
    return format_count(float(value)) if isinstance(value, int | float) else "–"


def _rates_text(rates: Mapping[str, Any] | None) -> str:
    if not rates:
        return ""
    currency = str(rates.get("currency") or "USD")
    parts = [
        f"{kind} {float(amount):,.0f} {currency}"
        for kind in ("post", "story", "video", "short")
        if isinstance(amount := rates.get(kind), int | float)
    ]
    return ", ".join(parts)


def _posts(creator: Creator) -> list[PostView]:
    out: list[PostView] = []
    for post in creator.recent_posts or []:
        likes, comments = post.get("likes"), post.get("comments")
        engagement = "–"
        if creator.followers and (likes is not None or comments is not None):
            engagement = format_pct(((likes or 0) + (comments or 0)) / creator.followers)
        posted = str(post.get("posted_at") or "")
        out.append(
            PostView(
                text=str(post.get("text") or ""),
                posted_on=posted[:10] if posted else "undated",
                likes=_count(likes),
                comments=_count(comments),
                views=_count(post.get("views")),
                engagement=engagement,
                url=post.get("url"),
            )
        )
    out.sort(key=lambda p: p.posted_on if p.posted_on != "undated" else "", reverse=True)
    return out


@dataclass
class ProfileChecks:
    """What the matcher says about the creator regardless of any brief."""

    components: list[ComponentView] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    lookalikes: list[dict[str, Any]] = field(default_factory=list)
    unavailable: str = ""


def _profile_checks(
    request: Request, session: Session, user: WebUser, creator: Creator
) -> ProfileChecks:
    checks = ProfileChecks()
    matcher = _matcher(request)
    try:
        hits = matcher.explain(
            session, user.organization_id, brief_from_request(_PROFILE_BRIEF), [creator.id]
        )
        found = matcher.similar(
            session,
            user.organization_id,
            creator.id,
            filters=MatchFilters(),
            k=LOOKALIKES,
            build=False,
        )
    except IndexNotReadyError as exc:
        checks.unavailable = exc.message
        return checks
    except CreatorNotIndexedError:
        checks.unavailable = (
            "this creator is not in the index yet: the checks and lookalikes appear once "
            "the index has been updated"
        )
        return checks
    hit = hits.get(creator.id)
    if hit is not None:
        view = result_view(1, hit)
        checks.flags = list(view.flags)
        checks.components = [
            c
            for c in view.components
            if c.name in ("authenticity", "engagement_quality", "brand_safety", "cost_efficiency")
        ]
    checks.lookalikes = [
        {
            "creator_id": data["id"],
            "handle": data["handle"],
            "display_name": data.get("display_name"),
            "platform": data["platform"],
            "tier": (t.value if (t := tier_for_followers(data.get("followers"))) else None),
            "followers": _count(data.get("followers")),
            "score": score,
            "reasons": list(reasons),
        }
        for data, score, reasons in found
    ]
    return checks


def _profile_page(
    request: Request,
    session: Session,
    user: WebUser,
    creator_id: int,
    *,
    shortlist: Mapping[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    creator = creators.get(session, user.organization_id, creator_id)
    audience = creator.audience or {}
    tier = tier_for_followers(creator.followers)
    opted_out = bool(
        outreach_service(request).opted_out_among(session, user.organization_id, [creator.id])
    )
    return render(
        request,
        "search/creator.html",
        {
            "creator": creator,
            "tier": tier.value if tier else None,
            "followers": _count(creator.followers),
            "avg_likes": _count(creator.avg_likes),
            "avg_comments": _count(creator.avg_comments),
            "avg_views": _count(creator.avg_views),
            "rates": _rates_text(creator.rates),
            "engagement": (
                format_pct(creator.engagement_rate)
                if creator.engagement_rate is not None
                else "unknown"
            ),
            "age_rows": _shares(audience.get("age"), AGE_BANDS),
            "gender_rows": _shares(audience.get("gender"), GENDERS),
            "country_rows": _shares(audience.get("countries")),
            "interests": list(audience.get("interests") or []),
            "posts": _posts(creator),
            "checks": _profile_checks(request, session, user, creator),
            "opted_out": opted_out,
            "campaigns": _campaign_options(session, user),
            "shortlist": {"campaign_id": "", **(shortlist or {})},
            "shortlist_errors": errors or {},
            "this_url": f"/creators/{creator.id}",
        },
        status_code=status_code,
    )


@router.get("/creators/{creator_id}")
def creator_page(
    creator_id: int, request: Request, user: RecruiterUser, session: SessionDep
) -> HTMLResponse:
    """A creator's profile: figures, audience, recent posts, checks and lookalikes."""
    return _profile_page(request, session, user, creator_id)


# --------------------------------------------------------------------------- the shortlist


def _handles(session: Session, user: WebUser, ids: Sequence[int]) -> dict[int, str]:
    return {cid: "@" + creators.get(session, user.organization_id, cid).handle for cid in ids}


def _shortlist_message(
    campaign: Campaign, added: list[str], already: list[str], opted_out: list[str]
) -> str:
    parts: list[str] = []
    if added:
        noun = "creator" if len(added) == 1 else "creators"
        parts.append(f"Added {len(added)} {noun} to the {campaign.name} shortlist.")
    if already:
        parts.append(f"Already on the {campaign.name} shortlist: {', '.join(already)}.")
    if opted_out:
        parts.append(
            f"Not contacted: {', '.join(opted_out)} opted out of e-mail from your organisation "
            "(recorded in the pipeline as opted out)."
        )
    return " ".join(parts)


@router.post("/search/shortlist", response_model=None)
def add_to_shortlist(
    request: Request,
    user: FormUser,
    session: SessionDep,
    campaign_id: Annotated[str, Form()] = "",
    creator_ids: Annotated[list[str], Form()] = [],  # noqa: B006  # FastAPI copies defaults
    next: Annotated[str, Form()] = "/search",
) -> Response:
    """Add the chosen creators to a campaign's pipeline at ``prospect``, like
    ``POST /v1/campaigns/{id}/pipeline``."""
    require_role("recruiter")(user)
    back = safe_next(next, "/search")
    ids = list(dict.fromkeys(int(c) for c in creator_ids if c.strip().isdigit()))
    errors: dict[str, str] = {}
    if not campaign_id.strip().isdigit():
        errors["shortlist_campaign"] = "choose the campaign to add the creators to"
    if not ids:
        errors["creator_ids"] = "tick at least one creator to add"
    if errors:
        return _back_with_errors(request, session, user, back, campaign_id, ids, errors)
    campaign = campaigns.get(session, user.organization_id, int(campaign_id))
    handles = _handles(session, user, ids)  # another organisation's creator: 404
    outreach = outreach_service(request)
    already = [
        cid for cid in ids if outreach.entry_for(session, user.organization_id, campaign.id, cid)
    ]
    opted_out = outreach.opted_out_among(session, user.organization_id, ids)
    reasons = campaigns.match_reasons(
        session, user.organization_id, campaign.id, ids, matcher=request.app.state.matcher
    )
    outreach.add_to_pipeline(session, user.organization_id, campaign.id, reasons)
    new = [cid for cid in ids if cid not in already]
    message = _shortlist_message(
        campaign,
        [handles[c] for c in new if c not in opted_out],
        [handles[c] for c in already],
        [handles[c] for c in new if c in opted_out],
    )
    return redirect(back, flash=message)


def _back_with_errors(
    request: Request,
    session: Session,
    user: WebUser,
    back: str,
    campaign_id: str,
    ids: list[int],
    errors: dict[str, str],
) -> Response:
    """The page the shortlist form was on, again, with the errors and the choices kept."""
    parts = urlsplit(back)
    shortlist = {"campaign_id": campaign_id, "creator_ids": ids}
    profile = re.fullmatch(r"/creators/(\d+)", parts.path)
    if profile:
        return _profile_page(
            request,
            session,
            user,
            int(profile.group(1)),
            shortlist=shortlist,
            errors=errors,
            status_code=422,
        )
    if parts.path == "/search":
        form = SearchForm.from_pairs(parse_qsl(parts.query))
        return _search_page(
            request, session, user, form, errors=errors, shortlist=shortlist, status_code=422
        )
    return redirect(back, flash="Nothing added: " + "; ".join(errors.values()) + ".")
