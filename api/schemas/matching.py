"""Match request and response schemas."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
    model_validator,
)

from api.schemas.common import MAX_ID, Id, OffsetCursor, RequestModel
from core.patterns import LINES_NOT_BLANK
from core.text import MultilineStr
from core.tiers import Tier
from creators.record import Platform
from matcher.brief import BRAND_SAFETY_CATEGORIES
from matcher.ranking import MatchHit, result_fields
from matcher.scorer import COMPONENTS

__all__ = [
    "BrandSafety",
    "BriefUnderstoodRead",
    "ComponentRead",
    "MatchFiltersIn",
    "MatchRequest",
    "MatchResponse",
    "MatchResultRead",
    "SimilarRequest",
    "SimilarResponse",
    "TargetIn",
    "UnderstoodItemRead",
    "Weights",
]

Objective = Literal[
    "awareness", "launch", "pr", "conversions", "community", "niche_product", "trusted_reviews"
]
AgeBand = Literal["13-17", "18-24", "25-34", "35-44", "45-54", "55+"]
Gender = Literal["female", "male", "other"]
# A brand-safety category (matcher.brief.BRAND_SAFETY_CATEGORIES; the services check it).
BrandSafety = Annotated[
    str, WithJsonSchema({"type": "string", "enum": list(BRAND_SAFETY_CATEGORIES)})
]
# Component weights: the matcher checks the names and values (any JSON value reaches it, so a
# boolean or a string is refused there, as the document says).
Weights = Annotated[
    dict[str, Any],
    WithJsonSchema(
        {
            "type": "object",
            "properties": {
                name: {"type": "number", "minimum": 0, "maximum": 1} for name in COMPONENTS
            },
            "additionalProperties": False,
        }
    ),
]


_AGE_BANDS = get_args(AgeBand)


def _age_target(value: Any) -> Any:
    # One validator, not a union: a union's errors would name the branch (age.list[...]).
    if value is None:
        return None
    if not isinstance(value, list | dict):
        raise ValueError("give a list of age bands or an object of weights (>= 0) by band")
    for band in value:
        if band not in _AGE_BANDS:
            raise ValueError(f"unknown age band {band!r}; use one of {list(_AGE_BANDS)}")
    weights = value.values() if isinstance(value, dict) else ()
    for weight in weights:
        number = isinstance(weight, int | float) and not isinstance(weight, bool)
        if not number or not math.isfinite(weight) or weight < 0:
            raise ValueError(f"a weight is a number >= 0, not {weight!r}")
    return value


AgeTarget = Annotated[
    list[str] | dict[str, float] | None,
    BeforeValidator(_age_target),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": {"enum": list(_AGE_BANDS)}},
                {
                    "type": "object",
                    "properties": {band: {"type": "number", "minimum": 0} for band in _AGE_BANDS},
                    "additionalProperties": False,
                },
                {"type": "null"},
            ]
        }
    ),
]


class TargetIn(RequestModel):
    """A target audience: age bands (a list, or weights per band), genders, countries,
    interests."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"age": ["25-34"], "genders": ["female"], "countries": ["US"]}]
        },
    )

    age: AgeTarget = None
    genders: list[Gender] | None = None
    countries: list[str] | None = None
    interests: list[str] | None = None

    def given(self) -> dict[str, Any]:
        """What the request said, for ``TargetAudience.from_mapping``."""
        return self.model_dump(exclude_unset=True)


class MatchFiltersIn(RequestModel):
    """Hard filters: every result passes all of them. Unknown values never pass a filter
    (a creator without a follower count fails a tier filter)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "platforms": ["instagram", "tiktok"],
                    "tiers": ["micro", "mid"],
                    "countries": ["US"],
                    "min_engagement": 0.02,
                    "max_cost_usd": 1500,
                }
            ]
        },
    )

    platforms: list[Platform] = Field(default_factory=list)
    tiers: list[Tier] = Field(default_factory=list)
    min_followers: int | None = Field(default=None, ge=0, le=MAX_ID)
    max_followers: int | None = Field(default=None, ge=0, le=MAX_ID)
    countries: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    min_engagement: float | None = Field(default=None, ge=0, le=1)
    max_cost_usd: float | None = Field(default=None, ge=0)
    exclude_creator_ids: list[Id] = Field(default_factory=list, max_length=100_000)
    exclude_competitor_mentions: StrictBool = Field(
        default=True,
        description="Leave out creators who posted about one of the competitor brands "
        "within competitor_window_days (false: rank them, with the conflicts penalty)",
    )
    competitor_window_days: int = Field(default=90, ge=1, le=3650)
    include_over_budget: StrictBool = Field(
        default=False,
        description="With a budget, creators whose cost of a post (own rates, else their "
        "tier's benchmark) is above the whole budget are left out; true keeps them",
    )


class MatchRequest(RequestModel):
    """A brief in free text, or a stored campaign (``campaign_id``), or both: the campaign
    gives the brief, objective, target, platforms, languages, competitors, brand-safety
    categories and excluded creators; fields given here override the campaign's, filters
    add to its own."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                # A brief of only whitespace says nothing (campaigns.service.match_query).
                {
                    "required": ["brief"],
                    "properties": {"brief": {"type": "string", "pattern": LINES_NOT_BLANK}},
                },
                {"required": ["campaign_id"], "properties": {"campaign_id": {"type": "integer"}}},
            ],
            "examples": [
                {
                    "brief": "vegan skincare launch in the US, women 25-34 who care about "
                    "sustainability, conversions, $20k",
                    "filters": {"platforms": ["instagram", "tiktok"], "tiers": ["micro"]},
                    "k": 10,
                },
                {"campaign_id": 7, "filters": {"countries": ["US"]}, "k": 20},
            ],
        },
    )

    brief: MultilineStr | None = Field(default=None, min_length=1, max_length=5000)
    campaign_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    objective: Objective | None = None
    target: TargetIn | None = None
    competitor_brands: list[str] = Field(default_factory=list, max_length=100)
    brand_safety: list[BrandSafety] = Field(default_factory=list, max_length=20)
    filters: MatchFiltersIn = Field(default_factory=MatchFiltersIn)
    weights: Weights | None = Field(
        default=None,
        description='Override the objective\'s component weights, e.g. {"audience_fit": 0.4}',
    )
    k: int = Field(default=20, ge=1, le=100)
    cursor: OffsetCursor = None

    @model_validator(mode="after")
    def _brief_or_campaign(self) -> MatchRequest:
        # A min_followers above max_followers is no error: no creator passes (the document
        # cannot say "min <= max", so what it allows the server takes).
        if self.brief is None and self.campaign_id is None:
            raise ValueError("give a brief or a campaign_id")
        return self


_COMPONENT_EXAMPLE: dict[str, Any] = {
    "score": 0.708,
    "weight": 0.2174,
    "reasons": ["about 42.5% of the audience is women 25-34", "80.0% in US"],
}
_RESULT_EXAMPLE: dict[str, Any] = {
    "rank": 1,
    "creator_id": 42,
    "platform": "instagram",
    "handle": "plantglow.maya",
    "display_name": "Maya | Plant Glow",
    "tier": "micro",
    "followers": 42000,
    "country": "US",
    "score": 0.8238,
    "components": {
        "niche_fit": {
            "score": 0.9454,
            "weight": 0.163,
            "reasons": [
                "fits the brief: relevance 0.95 of the best match "
                "(content similarity 0.56; mentions vegan, skincare)"
            ],
        },
        "audience_fit": _COMPONENT_EXAMPLE,
        "conflicts": {"score": None, "weight": 0.0, "reasons": ["no competitor brands given"]},
    },
    "reasons": [
        "fits the brief: relevance 0.95 of the best match "
        "(content similarity 0.56; mentions vegan, skincare)",
        "about 42.5% of the audience is women 25-34",
        "engagement 5.0%, within the micro benchmark on instagram 3.5%-7.0%",
    ],
    "flags": [],
}


class ComponentRead(BaseModel):
    """One component of a score: its value (null when it could not be judged), its weight
    in the total and why."""

    model_config = ConfigDict(json_schema_extra={"examples": [_COMPONENT_EXAMPLE]})

    score: float | None
    weight: float
    reasons: list[str]


class MatchResultRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_RESULT_EXAMPLE]})

    rank: int
    creator_id: int
    platform: str
    handle: str
    display_name: str | None
    tier: Tier | None
    followers: int | None
    country: str | None
    score: float
    components: dict[str, ComponentRead]
    reasons: list[str] = Field(description="The strongest reasons, for a one-line summary")
    flags: list[str] = Field(description="Warnings a recruiter must see (authenticity, safety)")

    @classmethod
    def from_hit(cls, rank: int, hit: MatchHit) -> MatchResultRead:
        """A ranked hit as the API answers it (the match route and the search page)."""
        return cls.model_validate(result_fields(rank, hit))


_ITEM_EXAMPLE: dict[str, Any] = {
    "kind": "age",
    "value": "25-34",
    "text": "25-34",
    "source": "brief",
}


class UnderstoodItemRead(BaseModel):
    """One thing the matcher read, with the words it came from."""

    model_config = ConfigDict(json_schema_extra={"examples": [_ITEM_EXAMPLE]})

    kind: str = Field(
        description="What it is: objective, country, language, platform, platform_only, "
        "age, generation, gender, budget, money, creator_count, tier, followers, engagement, "
        "date, duration, measurement, deliverable, number, brand_safety, competitor, "
        "competitor_exclusion, exclude (a topic to avoid) or interest"
    )
    value: str = Field(
        description='The normalised value: "US", "25-34", "15000 USD", "0.03", "P6M", ...'
    )
    text: str = Field(description="The words of the brief it was read from")
    source: str = Field(description='Where it comes from: "brief" (the text) or "campaign"')


# What the example brief of MatchRequest reads as (tests check this stays true).
_UNDERSTOOD_EXAMPLE: dict[str, Any] = {
    "objective": "conversions",
    "age": ["25-34"],
    "genders": ["female"],
    "countries": ["US"],
    "interests": ["sustainability"],
    "budget": 20000.0,
    "currency": "USD",
    "platforms": [],
    "only_platforms": [],
    "languages": [],
    "creators_wanted": None,
    "tiers": [],
    "min_engagement": None,
    "excluded_topics": [],
    "niche_text": "vegan skincare, sustainability",
    "niche_phrases": ["vegan skincare"],
    "items": [
        {"kind": "objective", "value": "launch", "text": "launch", "source": "brief"},
        {"kind": "country", "value": "US", "text": "US", "source": "brief"},
        {"kind": "gender", "value": "female", "text": "women", "source": "brief"},
        {"kind": "age", "value": "25-34", "text": "25-34", "source": "brief"},
        {
            "kind": "interest",
            "value": "sustainability",
            "text": "sustainability",
            "source": "brief",
        },
        {"kind": "objective", "value": "conversions", "text": "conversions", "source": "brief"},
        {"kind": "budget", "value": "20000 USD", "text": "$20k", "source": "brief"},
    ],
    "sources": {},
}


class BriefUnderstoodRead(BaseModel):
    """What the matcher understood from the brief (and the campaign), for the recruiter to
    check: the fields it uses, every item it read, and the niche text retrieval searched
    (the brief without those items and without filler such as "looking for")."""

    model_config = ConfigDict(json_schema_extra={"examples": [_UNDERSTOOD_EXAMPLE]})

    objective: str | None
    age: list[str] = Field(description="Audience age bands")
    genders: list[str]
    countries: list[str]
    interests: list[str]
    budget: float | None
    currency: str | None
    platforms: list[str]
    only_platforms: list[str] = Field(description='Platforms of an "X only" wish')
    languages: list[str]
    creators_wanted: int | None = Field(description="How many creators the brief asks for")
    tiers: list[str] = Field(description="Tiers the brief asks for explicitly")
    min_engagement: float | None = Field(description="Minimum engagement rate (0.03 = 3%)")
    excluded_topics: list[str] = Field(description='Topics of negative wishes ("unboxing")')
    niche_text: str = Field(description="The brief as retrieval reads it: only the niche")
    niche_phrases: list[str] = Field(description="Phrases and compounds kept together")
    items: list[UnderstoodItemRead]
    sources: dict[str, str] = Field(
        default_factory=dict,
        description='Where each wish came from: "brief" (read from the text), "campaign" '
        '(the stored campaign\'s fields) or "request" (given with the request)',
    )


class MatchResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [_RESULT_EXAMPLE],
                    "next_cursor": "AAAAAAAAAAo",
                    "objective": "conversions",
                    "applied_filters": {"platforms": ["instagram", "tiktok"], "tiers": ["micro"]},
                    "brief_understood": _UNDERSTOOD_EXAMPLE,
                    "candidates_scored": 120,
                }
            ]
        }
    )

    results: list[MatchResultRead]
    next_cursor: str | None
    objective: str | None
    applied_filters: dict[str, Any]
    brief_understood: BriefUnderstoodRead
    candidates_scored: int


class SimilarRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"filters": {"countries": ["US"]}, "k": 10}]},
    )

    filters: MatchFiltersIn = Field(default_factory=MatchFiltersIn)
    k: int = Field(default=10, ge=1, le=100)


_SIMILAR_EXAMPLE: dict[str, Any] = {
    "creator_id": 57,
    "platform": "instagram",
    "handle": "greenroutine.jo",
    "display_name": "Jo | Green Routine",
    "tier": "micro",
    "score": 0.7731,
    "reasons": ["content similarity 0.71", "68.0% of the audience is women 25-34"],
}


class SimilarResultRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_SIMILAR_EXAMPLE]})

    creator_id: int
    platform: str
    handle: str
    display_name: str | None
    tier: Tier | None
    score: float
    reasons: list[str]


class SimilarResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"creator_id": 42, "results": [_SIMILAR_EXAMPLE]}]}
    )

    creator_id: int
    results: list[SimilarResultRead]
