"""Contexts for a campaign's documents, built from what the database knows: the sender
profile, the campaign and its brand, the creator (rates, followers, posts) and the matcher's
reasons. What the database cannot know (legal names, addresses, key messages) comes from
``extra`` fields of the request, else from plain defaults a recruiter edits before sending.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from compliance.types import Jurisdiction, Platform
from core.errors import InvalidInputError
from outreach.contexts import (
    BriefContext,
    Compensation,
    ContractContext,
    ContractKind,
    EmailContext,
    Exclusivity,
    Instalment,
    Milestone,
    Party,
    Step,
    UsageRights,
)
from outreach.personalise import (
    build_email_context,
    deliverables_for,
    example_caption,
    propose_compensation,
)

__all__ = [
    "DraftData",
    "brief_context",
    "contract_context",
    "email_context",
    "jurisdiction_for",
]

_EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)


def jurisdiction_for(countries: Sequence[str], default: str = "US") -> Jurisdiction:
    """The disclosure regime of a campaign's first market: US, UK, CA or EU."""
    for country in countries:
        code = country.upper()
        if code == "US":
            return Jurisdiction.US
        if code in ("GB", "UK"):
            return Jurisdiction.UK
        if code == "CA":
            return Jurisdiction.CA
        if code in _EU:
            return Jurisdiction.EU
    return Jurisdiction(default)


@dataclass(frozen=True)
class DraftData:
    """Plain values from the sender profile, campaign, brand and creator rows."""

    sender_name: str
    sender_company: str
    sender_postal_address: str
    sender_email: str
    reply_to: str
    default_jurisdiction: str
    campaign_name: str
    campaign_brief: str
    objective: str
    campaign_platforms: tuple[str, ...]
    campaign_countries: tuple[str, ...]
    starts_on: date | None
    ends_on: date | None
    currency: str
    brand_name: str
    brand_categories: tuple[str, ...]
    creator_name: str
    creator_handle: str
    creator_platform: str
    creator_categories: tuple[str, ...]
    creator_followers: int | None
    creator_rates: Mapping[str, Any] | None
    creator_posts: tuple[tuple[str, str], ...]  # (text, url)
    reasons: tuple[str, ...]

    @property
    def jurisdiction(self) -> Jurisdiction:
        return jurisdiction_for(self.campaign_countries, self.default_jurisdiction)

    @property
    def platform(self) -> Platform:
        return Platform(self.creator_platform)

    @property
    def brand_handle(self) -> str:
        return "@" + "".join(ch for ch in self.brand_name.lower() if ch.isalnum())

    @property
    def niche(self) -> str:
        return ", ".join(self.creator_categories[:2]) or "content"

    def rate(self) -> Decimal | None:
        rates = self.creator_rates or {}
        for key in ("post", "video", "reel", "story"):
            value = rates.get(key)
            if isinstance(value, int | float | str) and str(value).strip():
                return Decimal(str(value))
        return None

    def compensation(self) -> Compensation:
        rate = self.rate()
        currency = str((self.creator_rates or {}).get("currency") or "USD") if rate else "USD"
        return propose_compensation(
            self.creator_followers, creator_rate=rate, currency=currency
        ).compensation


def _text(extra: Mapping[str, Any], key: str, default: str) -> str:
    value = extra.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError.for_field(key, "must be non-empty text", value=value)
    return value


def _texts(extra: Mapping[str, Any], key: str, default: Sequence[str]) -> tuple[str, ...]:
    value = extra.get(key, default)
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise InvalidInputError.for_field(key, "must be a list of text", value=value)
    return tuple(value)


def email_context(
    data: DraftData, *, step: Step, unsubscribe_url: str, extra: Mapping[str, Any] | None = None
) -> EmailContext:
    extra = extra or {}
    return build_email_context(
        sender_name=data.sender_name,
        sender_company=data.sender_company,
        sender_postal_address=data.sender_postal_address,
        reply_to=data.reply_to,
        brand=data.brand_name,
        campaign_name=data.campaign_name,
        brief=data.campaign_brief,
        creator_display_name=data.creator_name,
        handle=data.creator_handle,
        platform=data.platform,
        niche=_text(extra, "niche", data.niche),
        reasons=_texts(extra, "reasons", data.reasons),
        unsubscribe_url=unsubscribe_url,
        followers=data.creator_followers,
        creator_rate=data.rate(),
        currency=str((data.creator_rates or {}).get("currency") or "USD"),
        posts=[(text, url, None) for text, url in data.creator_posts],
        step=step,
        jurisdiction=data.jurisdiction,
    )


def _platforms(data: DraftData) -> tuple[Platform, ...]:
    names = data.campaign_platforms or (data.creator_platform,)
    return tuple(Platform(p) for p in names)


def brief_context(
    data: DraftData, *, today: date, extra: Mapping[str, Any] | None = None
) -> BriefContext:
    extra = extra or {}
    starts = data.starts_on or today + timedelta(days=14)
    ends = data.ends_on or starts + timedelta(days=30)
    brand = data.brand_name
    return BriefContext(
        campaign_name=data.campaign_name,
        brand=brand,
        brand_handle=data.brand_handle,
        objective=data.objective.replace("_", " "),
        key_messages=_texts(
            extra,
            "key_messages",
            [data.campaign_brief or f"Why {brand} fits your routine, in your own words."],
        ),
        deliverables=deliverables_for(_platforms(data), due_date=ends - timedelta(days=7)),
        timeline=(
            Milestone("Draft content for approval", starts + timedelta(days=7)),
            Milestone("Content live", ends - timedelta(days=7)),
            Milestone("Performance report due", ends),
        ),
        dos=_texts(
            extra,
            "dos",
            [
                "Show the product in real use, in your own voice",
                "Put the disclosure first, before any 'more' cut-off",
                f"Tag {data.brand_handle} and use the campaign hashtag",
            ],
        ),
        donts=_texts(
            extra,
            "donts",
            [
                "Make health, medical or earnings claims",
                "Hide the disclosure among hashtags or at the end",
                "Mention competing brands in campaign content",
            ],
        ),
        jurisdictions=(data.jurisdiction,),
        hashtags=_texts(extra, "hashtags", ["#" + data.brand_handle[1:] + "partner"]),
        handles=(data.brand_handle,),
        approval_process=_texts(
            extra,
            "approval_process",
            [
                "Send drafts to the brand contact at least 5 working days before posting",
                "The brand answers within 2 working days; up to 2 rounds of revisions",
            ],
        ),
        reporting_requirements=_texts(
            extra,
            "reporting_requirements",
            [
                "Links to the live posts on the day they go up",
                "Reach, impressions, engagement and link clicks after 7 days (screenshots)",
            ],
        ),
        example_captions=(
            example_caption(
                data.jurisdiction, f"My honest take on {brand} after two weeks", data.brand_handle
            ),
        ),
        contact_name=data.sender_name,
        contact_email=data.reply_to,
        platforms=_platforms(data),
        creator_display_name=data.creator_name,
    )


def _party(
    extra: Mapping[str, Any], key: str, name: str, address: str, signatory: str, title: str | None
) -> Party:
    raw = extra.get(key) or {}
    if not isinstance(raw, Mapping):
        raise InvalidInputError.for_field(key, "must be an object", value=raw)
    return Party(
        legal_name=str(raw.get("legal_name") or name),
        address=str(raw.get("address") or address),
        signatory_name=str(raw.get("signatory_name") or signatory),
        signatory_title=raw.get("signatory_title") or title,
    )


def contract_context(
    data: DraftData,
    kind: ContractKind,
    *,
    today: date,
    reference: str,
    extra: Mapping[str, Any] | None = None,
) -> ContractContext:
    extra = extra or {}
    fee = data.compensation()
    platforms = _platforms(data)
    ambassador = kind == "ambassador"
    deliverables = deliverables_for(
        platforms, counts=dict.fromkeys(platforms, 2 if ambassador else 1)
    )
    if kind == "gifting":
        compensation = Compensation(
            Decimal(str(extra.get("gift_value", "150"))), fee.currency, "retail value"
        )
        schedule: tuple[Instalment, ...] = ()
    elif ambassador:
        compensation = Compensation(fee.amount * 2, fee.currency, "per month")
        schedule = (
            Instalment(
                "Monthly fee, for each month of the term",
                fee.amount * 2,
                "within 30 days of each month's content going live",
            ),
        )
    else:
        compensation = fee
        half = (fee.amount / 2).quantize(Decimal("0.01"))
        schedule = (
            Instalment("On signature", half, "within 14 days of signature"),
            Instalment(
                "On publication", fee.amount - half, "within 30 days of the content going live"
            ),
        )
    return ContractContext(
        kind=kind,
        reference=reference,
        brand_name=data.brand_name,
        brand=_party(
            extra,
            "brand_party",
            data.sender_company,
            data.sender_postal_address,
            data.sender_name,
            "Authorised signatory",
        ),
        creator=_party(
            extra,
            "creator_party",
            data.creator_name,
            "Address to be completed by the creator",
            data.creator_name,
            None,
        ),
        creator_handle=data.creator_handle,
        campaign_name=data.campaign_name,
        effective_date=data.starts_on or today,
        deliverables=deliverables,
        compensation=compensation,
        payment_schedule=schedule,
        usage_rights=UsageRights(
            duration_months=12 if ambassador else 6,
            channels=("brand social accounts", "brand website", "e-mail newsletters"),
            paid_amplification=ambassador,
        ),
        jurisdictions=(data.jurisdiction,),
        governing_law=_text(extra, "governing_law", _LAW[data.jurisdiction]),
        venue=_text(extra, "venue", _VENUE[data.jurisdiction]),
        exclusivity=(
            Exclusivity(", ".join(data.brand_categories[:2]) or "the brand's category", 12)
            if ambassador
            else None
        ),
        cadence="2 pieces of content per platform each month" if ambassador else None,
        gifted_products=_texts(extra, "gifted_products", [f"{data.brand_name} starter set"])
        if kind == "gifting"
        else (),
        platforms=platforms,
    )


_LAW = {
    Jurisdiction.US: "the State of New York",
    Jurisdiction.UK: "England and Wales",
    Jurisdiction.CA: "the Province of Ontario",
    Jurisdiction.EU: "Ireland",
}
_VENUE = {
    Jurisdiction.US: "the state and federal courts in New York County, New York",
    Jurisdiction.UK: "the courts of England and Wales",
    Jurisdiction.CA: "the courts of Ontario",
    Jurisdiction.EU: "the courts of Dublin, Ireland",
}
