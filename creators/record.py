"""The creator record: the interchange format of import, export and the API.

Only ``platform`` and ``handle`` are required. Everything else may be missing and the rest of
the system copes. docs/creator-record.md documents every field with an example.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from core.codes import COUNTRY_CODES, CURRENCY_CODES, LANGUAGE_CODES
from core.errors import FieldError
from core.patterns import EMAIL
from core.text import MultilineStr, control_character_error
from core.textmodel import CleanTextModel

__all__ = [
    "AGE_BANDS",
    "GENDERS",
    "Audience",
    "CreatorRecord",
    "Platform",
    "Rates",
    "RecentPost",
    "handle_pattern",
    "normalise_handle",
    "record_hash",
    "validation_errors",
]

# How far a distribution (age, gender) may sum from 1 before it is rejected. Survey exports
# round each share, so 0.98 or 1.02 is normal; 0.6 or 1.4 is a broken file.
SHARE_SUM_TOLERANCE = 0.05

AGE_BANDS: tuple[str, ...] = ("13-17", "18-24", "25-34", "35-44", "45-54", "55+")
GENDERS: tuple[str, ...] = ("female", "male", "other")

_HANDLE_CHAR = re.compile(r"[\w.\-]")
_HANDLE_RE = re.compile(r"[\w.\-]{1,100}")
_EMAIL_RE = re.compile(EMAIL)


@functools.cache
def handle_pattern() -> str:
    r"""The API document's pattern of a handle, as the record takes it: an optional ``@``,
    then 1-100 characters that are, lower-cased, letters or digits (Python's ``\w``), ``.``,
    ``_`` or ``-``. Written as explicit ranges of the Basic Multilingual Plane, so that every
    regex engine reads it alike (``\w`` means other characters to each; a letter beyond the
    plane, rare in a handle, the record takes and the document does not offer). Computed
    once, when the document is built (0.6 s)."""
    taken = [
        code
        for code in range(0x10000)
        if not 0xD800 <= code <= 0xDFFF
        and len(lower := chr(code).lower()) == 1
        and _HANDLE_CHAR.fullmatch(lower)
    ]
    ranges: list[list[int]] = []
    for code in taken:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    span = "".join(
        f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges
    )
    return f"^@?[{span}]{{1,100}}$"


class Platform(StrEnum):
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    YOUTUBE = "youtube"
    X = "x"
    TWITCH = "twitch"
    LINKEDIN = "linkedin"
    FACEBOOK = "facebook"
    PINTEREST = "pinterest"
    SNAPCHAT = "snapchat"
    PODCAST = "podcast"
    BLOG = "blog"


Count = Annotated[int, Field(ge=0)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


def normalise_handle(handle: str) -> str:
    """The canonical form of a handle: trimmed, without a leading ``@``, lower case."""
    return handle.strip().removeprefix("@").lower()


def _aware(value: datetime | None) -> datetime | None:
    # A timestamp without an offset is taken as UTC (documented in docs/creator-record.md).
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    # Already UTC (the common "Z" case): keep it, converting costs time on every import row.
    return value.astimezone(UTC) if value.utcoffset() else value


class _Strict(CleanTextModel):
    # No control characters in any text (core/text.py): bio and post texts may have lines.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class RecentPost(_Strict):
    _check_text: ClassVar[bool] = False  # checked by the record that holds it

    text: MultilineStr = Field(default="", max_length=10_000)
    posted_at: datetime | None = None
    likes: Count | None = None
    comments: Count | None = None
    views: Count | None = None
    url: str | None = Field(default=None, max_length=2_000)

    _aware_posted_at = field_validator("posted_at")(_aware)


class Audience(_Strict):
    """Audience shares in [0, 1]. ``age`` and ``gender`` must each sum to about 1;
    ``countries`` may list only the top countries, so it must sum to at most about 1."""

    _check_text: ClassVar[bool] = False  # checked by the record that holds it

    age: dict[str, Share] | None = None
    gender: dict[str, Share] | None = None
    countries: dict[str, Share] | None = None
    interests: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = None

    @field_validator("age")
    @classmethod
    def _age_bands(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        unknown = sorted(set(value) - set(AGE_BANDS))
        if unknown:
            raise ValueError(f"unknown age band(s) {unknown}; use {list(AGE_BANDS)}")
        _check_sum(value, exact=True)
        return {band: value[band] for band in AGE_BANDS if band in value}

    @field_validator("gender")
    @classmethod
    def _genders(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        unknown = sorted(set(value) - set(GENDERS))
        if unknown:
            raise ValueError(f"unknown gender key(s) {unknown}; use {list(GENDERS)}")
        _check_sum(value, exact=True)
        return {g: value[g] for g in GENDERS if g in value}

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        value = {code.upper(): share for code, share in value.items()}
        unknown = sorted(code for code in value if code not in COUNTRY_CODES)
        if unknown:
            raise ValueError(f"unknown country code(s) {unknown}; use ISO 3166-1 alpha-2")
        _check_sum(value, exact=False)
        return dict(sorted(value.items()))


def _check_sum(shares: dict[str, float], *, exact: bool) -> None:
    if not shares:
        return
    total = sum(shares.values())
    if total > 1 + SHARE_SUM_TOLERANCE:
        raise ValueError(f"shares sum to {total:.3f}; they must sum to 1 (shares are 0-1)")
    if exact and total < 1 - SHARE_SUM_TOLERANCE:
        raise ValueError(f"shares sum to {total:.3f}; they must sum to 1")


class Rates(_Strict):
    _check_text: ClassVar[bool] = False  # checked by the record that holds it

    currency: str = "USD"
    post: Amount | None = None
    story: Amount | None = None
    video: Amount | None = None
    short: Amount | None = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        value = value.upper()
        if value not in CURRENCY_CODES:
            raise ValueError(f"unknown currency {value!r}; use an ISO 4217 code such as USD")
        return value


class CreatorRecord(_Strict):
    """One creator, as imported, exported and served by the API."""

    platform: Platform
    handle: str = Field(min_length=1, max_length=101)
    display_name: str | None = Field(default=None, max_length=200)
    bio: MultilineStr | None = Field(default=None, max_length=5_000)
    profile_url: str | None = Field(default=None, max_length=500)
    country: str | None = None
    language: str | None = None
    followers: Count | None = None
    avg_likes: Amount | None = None
    avg_comments: Amount | None = None
    avg_views: Amount | None = None
    posts_per_month: Amount | None = None
    engagement_rate: Share | None = None
    engagement_rate_computed: bool = False
    categories: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=20
    )
    recent_posts: list[RecentPost] = Field(default_factory=list, max_length=50)
    audience: Audience | None = None
    rates: Rates | None = None
    email: str | None = Field(default=None, max_length=320)
    is_virtual: bool = False
    brands_mentioned: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=200
    )
    source: str | None = Field(default=None, max_length=100)
    updated_at: datetime | None = None

    _aware_updated_at = field_validator("updated_at")(_aware)

    @field_validator("platform", mode="before")
    @classmethod
    def _platform_lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str) -> str:
        handle = normalise_handle(value)
        if not _HANDLE_RE.fullmatch(handle):
            raise ValueError(
                "a handle is 1-100 letters, digits, '.', '_' or '-' (an optional leading @)"
            )
        return handle

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper()
        if code not in COUNTRY_CODES:
            raise ValueError(f"unknown country {value!r}; use ISO 3166-1 alpha-2 such as US")
        return code

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.lower()
        if code not in LANGUAGE_CODES:
            raise ValueError(f"unknown language {value!r}; use ISO 639-1 such as en")
        return code

    @field_validator("categories", "brands_mentioned")
    @classmethod
    def _dedupe(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip().lower() if v else v for v in value))

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # A control character is named as such (core/text.py), not as a bad address.
        problem = control_character_error(value)
        if problem is not None:
            raise ValueError(problem)
        if not _EMAIL_RE.fullmatch(value):
            raise ValueError(f"{value!r} is not an email address")
        return value

    @model_validator(mode="after")
    def _engagement(self) -> CreatorRecord:
        # A given rate wins; otherwise compute it from the averages and mark it as computed.
        if self.engagement_rate is None and self.followers and self.avg_likes is not None:
            rate = (self.avg_likes + (self.avg_comments or 0.0)) / self.followers
            object.__setattr__(self, "engagement_rate", round(min(rate, 1.0), 6))
            object.__setattr__(self, "engagement_rate_computed", True)
        return self

    def to_json(self) -> dict[str, Any]:
        """The record as JSON-compatible data, without the fields that are unset."""
        return self.model_dump(mode="json", exclude_none=True)


def record_hash(record: CreatorRecord) -> str:
    """sha256 of the record's content; ``updated_at`` and ``source`` do not count, so
    re-importing the same creator with a new timestamp is "unchanged".

    Field order is the model's and the distributions are put in a canonical order by their
    validators, so the serialisation is canonical without sorting keys.
    """
    canonical = record.model_dump_json(exclude={"updated_at", "source"})
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def validation_errors(exc: ValidationError, *, line: int | None = None) -> list[FieldError]:
    """Turn pydantic's errors into :class:`FieldError` items with dotted field names."""
    out = []
    for err in exc.errors(include_url=False):
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field (see docs/creator-record.md for the fields)"
        elif err["type"] == "enum" and err["loc"][:1] == ("platform",):
            message = (
                f"unknown platform {err.get('input')!r}; use one of {[p.value for p in Platform]}"
            )
        out.append(FieldError(field=_loc(err["loc"]) or None, message=message, line=line))
    return out
