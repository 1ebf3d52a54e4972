"""Creator schemas: the creator record plus what the server adds (id, tier, timestamps)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, WithJsonSchema

from api.schemas.common import Count, Omittable, RequestModel, Timestamp, json_number
from core.codes import COUNTRY_CODES, CURRENCY_CODES, LANGUAGE_CODES
from core.patterns import EMAIL, LINE_NOT_BLANK
from core.text import MultilineStr
from core.tiers import Tier
from creators.record import (
    AGE_BANDS,
    GENDERS,
    Audience,
    CreatorRecord,
    Platform,
    Rates,
    RecentPost,
    handle_pattern,
)
from creators.service import record_from_row
from models import Creator

__all__ = ["CreatorCreate", "CreatorRead", "CreatorUpdate", "ImportResult"]

EXAMPLE_RECORD: dict[str, Any] = {
    "platform": "instagram",
    "handle": "lena.greenkitchen",
    "display_name": "Lena | Green Kitchen",
    "bio": "Plant-based recipes for busy weeknights. Berlin.",
    "country": "DE",
    "language": "de",
    "followers": 48200,
    "avg_likes": 2100,
    "avg_comments": 64,
    "categories": ["vegan", "food"],
    "audience": {
        "age": {"18-24": 0.22, "25-34": 0.46, "35-44": 0.2, "45-54": 0.08, "55+": 0.04},
        "gender": {"female": 0.78, "male": 0.2, "other": 0.02},
        "countries": {"DE": 0.71, "AT": 0.12, "CH": 0.08},
    },
    "rates": {"currency": "EUR", "post": 650, "story": 200},
}


# The document's schema of each field of the creator record, as exact as JSON Schema can be:
# what it allows, creators.record.CreatorRecord takes (it also takes some spellings the
# document does not give: any case of a code, spaces around text). Only the shares' sums are
# beyond JSON Schema: age and gender sum to 1 (within 0.05), countries to at most 1.05.
def _enum(values: Iterable[str]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": sorted(values)})


_SHARE = {"type": "number", "minimum": 0, "maximum": 1}


def _shares(keys: Iterable[str] | None = None) -> WithJsonSchema:
    if keys is None:
        return WithJsonSchema(
            {
                "anyOf": [
                    {
                        "type": "object",
                        "propertyNames": {"enum": sorted(COUNTRY_CODES)},
                        "additionalProperties": _SHARE,
                    },
                    {"type": "null"},
                ]
            }
        )
    return WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "object",
                    "properties": dict.fromkeys(keys, _SHARE),
                    "additionalProperties": False,
                },
                {"type": "null"},
            ]
        }
    )


Country = Annotated[str, _enum(COUNTRY_CODES)]
Language = Annotated[str, _enum(LANGUAGE_CODES)]
Currency = Annotated[str, _enum(CURRENCY_CODES)]


def _handle_schema(schema: dict[str, Any]) -> None:
    schema["pattern"] = handle_pattern()  # built when the document is


# The record checks both, with its own messages; the document gives their patterns.
Handle = Annotated[str, Field(min_length=1, max_length=101, json_schema_extra=_handle_schema)]
Email = Annotated[str, Field(max_length=320, json_schema_extra={"pattern": EMAIL})]
# Not blank and one line: the record strips and wants a character (min_length), and
# core/textmodel refuses control characters, each with its own message; the document says
# both in one pattern.
_NOT_BLANK = {"pattern": LINE_NOT_BLANK}
Label = Annotated[str, Field(min_length=1, max_length=60, json_schema_extra=_NOT_BLANK)]
BrandName = Annotated[str, Field(min_length=1, max_length=200, json_schema_extra=_NOT_BLANK)]
Interest = Annotated[str, Field(min_length=1, max_length=100, json_schema_extra=_NOT_BLANK)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False), BeforeValidator(json_number)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False), BeforeValidator(json_number)]


class RecentPostIn(RecentPost):
    posted_at: Timestamp | None = None
    likes: Count | None = None
    comments: Count | None = None
    views: Count | None = None


class AudienceIn(Audience):
    age: Annotated[dict[str, Share] | None, _shares(AGE_BANDS)] = None
    gender: Annotated[dict[str, Share] | None, _shares(GENDERS)] = None
    countries: Annotated[dict[str, Share] | None, _shares()] = None
    interests: list[Interest] | None = None


class RatesIn(Rates):
    currency: Currency = "USD"
    post: Amount | None = None
    story: Amount | None = None
    video: Amount | None = None
    short: Amount | None = None


class CreatorCreate(CreatorRecord):
    """A new creator: the creator record (docs/creator-record.md)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_RECORD]})

    handle: Handle
    country: Country | None = None
    language: Language | None = None
    followers: Count | None = None
    avg_likes: Amount | None = None
    avg_comments: Amount | None = None
    avg_views: Amount | None = None
    posts_per_month: Amount | None = None
    engagement_rate: Share | None = None
    engagement_rate_computed: StrictBool = False
    categories: list[Label] = Field(default_factory=list, max_length=20)
    recent_posts: list[RecentPostIn] = Field(  # type: ignore[assignment]  # the same posts, checked stricter
        default_factory=list, max_length=50
    )
    audience: AudienceIn | None = None
    rates: RatesIn | None = None
    email: Email | None = None
    is_virtual: StrictBool = False
    brands_mentioned: list[BrandName] = Field(default_factory=list, max_length=200)
    updated_at: Timestamp | None = None


class CreatorUpdate(RequestModel):
    """A partial update: only the fields given change (null clears one), and the result is
    validated whole, as a creator record."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"followers": 51000, "country": "AT"}]}
    )

    platform: Platform = Omittable()
    handle: Handle = Omittable()
    display_name: str | None = Field(default=None, max_length=200)
    bio: MultilineStr | None = Field(default=None, max_length=5_000)
    profile_url: str | None = Field(default=None, max_length=500)
    country: Country | None = None
    language: Language | None = None
    followers: Count | None = None
    avg_likes: Amount | None = None
    avg_comments: Amount | None = None
    avg_views: Amount | None = None
    posts_per_month: Amount | None = None
    engagement_rate: Share | None = None
    engagement_rate_computed: StrictBool = Omittable()
    categories: list[Label] | None = Field(default=None, max_length=20)
    recent_posts: list[RecentPostIn] | None = Field(default=None, max_length=50)
    audience: AudienceIn | None = None
    rates: RatesIn | None = None
    email: Email | None = None
    is_virtual: StrictBool = Omittable()
    brands_mentioned: list[BrandName] | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=100)
    updated_at: Timestamp | None = None

    def changes(self) -> dict[str, Any]:
        """The fields given, as JSON values (what the record reads); null clears a list."""
        changes = self.model_dump(mode="json", exclude_unset=True)
        for name in ("categories", "recent_posts", "brands_mentioned"):
            if name in changes and changes[name] is None:
                changes[name] = []
        return changes


class CreatorRead(CreatorRecord):
    """A stored creator: the record plus its id, tier (from followers) and timestamps."""

    # Our own data going out (FastAPI validates it again): a row stored before the
    # control-character check still reads.
    _check_text: ClassVar[bool] = False

    id: int
    tier: Tier | None
    created_at: datetime
    modified_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "tier": "micro",
                    "created_at": "2026-11-01T09:00:00Z",
                    "modified_at": "2026-11-01T09:00:00Z",
                    **EXAMPLE_RECORD,
                }
            ]
        }
    )

    @classmethod
    def from_row(cls, creator: Creator) -> CreatorRead:
        record = record_from_row(creator)
        return cls.model_validate(
            {
                **record.model_dump(),
                "id": creator.id,
                "tier": creator.tier,
                "created_at": creator.created_at,
                "modified_at": creator.modified_at,
            }
        )


class ImportRowError(BaseModel):
    line: int | None
    field: str | None
    message: str


class ImportResult(BaseModel):
    """What an import did."""

    created: int
    updated: int
    unchanged: int
    rejected: int
    written: bool
    errors: list[ImportRowError]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "created": 120,
                    "updated": 3,
                    "unchanged": 0,
                    "rejected": 1,
                    "written": True,
                    "errors": [
                        {"line": 7, "field": "followers", "message": "Input should be >= 0"}
                    ],
                }
            ]
        }
    )
