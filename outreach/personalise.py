"""Building outreach contexts from plain data (no database): the recent post to mention,
the fee to propose, the deliverables per platform and a compliant example caption.

* :func:`choose_recent_post` picks the creator's post that best matches the brief: the
  highest precomputed score when every post has one (e.g. the matcher's cosine similarity),
  otherwise the highest lexical overlap with the brief text. No overlap at all means no post:
  an e-mail never claims a fit it cannot show.
* :func:`propose_compensation` uses the creator's own rate when known; otherwise the cost
  per post of the creator's tier (:data:`core.tiers.TIER_BENCHMARKS`), interpolated on a log
  scale by where the follower count sits inside the tier (10K followers: USD 100, 100K: USD
  1,000 for micro), rounded to a friendly figure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from compliance.fix import preferred_label
from compliance.types import Jurisdiction, Platform
from core.errors import InvalidInputError
from core.tiers import TIER_BENCHMARKS, Tier, tier_bounds, tier_for_followers
from outreach.contexts import Compensation, Deliverable, EmailContext, PostRef, Step

__all__ = [
    "DEFAULT_FORMATS",
    "CompensationProposal",
    "ScoredPost",
    "build_email_context",
    "choose_recent_post",
    "deliverables_for",
    "example_caption",
    "lexical_overlap",
    "propose_compensation",
]

DEFAULT_FORMATS: dict[Platform, str] = {
    Platform.INSTAGRAM: "Reel (30-60 s)",
    Platform.TIKTOK: "video (20-45 s)",
    Platform.YOUTUBE: "integrated segment (60-90 s)",
    Platform.FACEBOOK: "post",
    Platform.LINKEDIN: "post",
    Platform.X: "post",
    Platform.TWITCH: "live-stream segment (5 min)",
    Platform.PODCAST: "host-read ad (60 s)",
    Platform.THREADS: "post",
    Platform.PINTEREST: "Idea Pin",
    Platform.SNAPCHAT: "Story",
    Platform.BLOG: "review article",
}

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STOPWORDS = frozenset(
    {
        "the", "and", "for", "with", "that", "this", "from", "your", "you", "our", "are",
        "was", "were", "have", "has", "had", "but", "not", "all", "can", "will", "just",
        "into", "out", "about", "over", "more", "most", "very", "than", "then", "them",
        "they", "their", "its", "what", "when", "where", "who", "how", "why", "new", "get",
        "got", "one", "two", "also",
    }
)  # fmt: skip


@dataclass(frozen=True)
class ScoredPost:
    """A recent post of the creator; ``score`` is a precomputed similarity to the brief."""

    text: str
    url: str
    score: float | None = None


def _tokens(text: str) -> set[str]:
    return {w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in _STOPWORDS}


def lexical_overlap(text: str, brief: str) -> float:
    """Cosine similarity of the two texts' word sets (words of 3+ letters, no stopwords)."""
    a, b = _tokens(text), _tokens(brief)
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def choose_recent_post(
    posts: Iterable[ScoredPost | tuple[str, str, float | None]],
    *,
    brief: str = "",
    similarity: Callable[[str, str], float] = lexical_overlap,
) -> PostRef | None:
    """The post that best matches the brief, or None (see the module docstring).

    Posts without text or without an http(s) link are skipped; ties go to the earlier post
    (give the posts newest first).
    """
    candidates = [p if isinstance(p, ScoredPost) else ScoredPost(*p) for p in posts]
    candidates = [
        p
        for p in candidates
        if p.text.strip() and p.url.lower().startswith(("https://", "http://"))
    ]
    if not candidates:
        return None
    if all(p.score is not None for p in candidates):
        scored = [(float(p.score or 0.0), p) for p in candidates]
    else:
        scored = [(similarity(p.text, brief), p) for p in candidates]
    best_score, best = max(scored, key=lambda pair: pair[0])  # max keeps the first of ties
    if best_score <= 0:
        return None
    return PostRef(best.text, best.url)


@dataclass(frozen=True)
class CompensationProposal:
    """A proposed fee and where it came from (shown to the recruiter, not the creator)."""

    compensation: Compensation
    source: Literal["creator_rate", "tier_benchmark"]
    tier: Tier | None
    explanation: str


def _friendly(amount: float) -> Decimal:
    """Round to a figure people quote: to 5 below 100, to 10 below 1,000, else to 50."""
    step = 5 if amount < 100 else 10 if amount < 1_000 else 50
    units = (Decimal(str(amount)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return units * step


def _position(followers: int, tier: Tier) -> float:
    low, high = tier_bounds(tier)
    if low == 0:  # emerging: linear, there is no log of zero
        return followers / (high or 1)
    top = high if high is not None else low * 10  # mega: 1M..10M spans the range
    return min(max(math.log(followers / low) / math.log(top / low), 0.0), 1.0)


def propose_compensation(
    followers: int | None,
    *,
    creator_rate: Decimal | None = None,
    currency: str = "USD",
    rate_basis: str = "per post",
) -> CompensationProposal:
    """Propose the fee for one creator (see the module docstring).

    Raises:
        InvalidInputError: with neither a rate nor a follower count, for a negative count,
            or for a currency other than USD without the creator's rate (benchmarks are USD).
    """
    tier: Tier | None = None
    if followers is not None:
        if followers < 0:
            raise InvalidInputError.for_field("followers", "must be >= 0", value=followers)
        tier = tier_for_followers(followers)
    if creator_rate is not None:
        return CompensationProposal(
            Compensation(creator_rate, currency, rate_basis),
            "creator_rate",
            tier,
            "the creator's own rate",
        )
    if followers is None or tier is None:
        raise InvalidInputError.for_field(
            "followers", "unknown: give the creator's rate or a follower count", value=None
        )
    if currency != "USD":
        raise InvalidInputError.for_field(
            "currency", "tier benchmarks are in USD; give the creator's rate", value=currency
        )
    low, high = TIER_BENCHMARKS[tier].cost_per_post_usd
    amount = _friendly(low + (high - low) * _position(followers, tier))
    return CompensationProposal(
        Compensation(amount, "USD", "per post"),
        "tier_benchmark",
        tier,
        f"{tier.value} tier benchmark (USD {low:,.0f}-{high:,.0f} per post) "
        f"for {followers:,} followers",
    )


def deliverables_for(
    platforms: Sequence[Platform | str],
    *,
    counts: Mapping[Platform, int] | None = None,
    formats: Mapping[Platform, str] | None = None,
    due_date: date | None = None,
) -> tuple[Deliverable, ...]:
    """One deliverable per platform, in the platform's usual format (:data:`DEFAULT_FORMATS`),
    ``counts[platform]`` pieces each (default 1)."""
    out: list[Deliverable] = []
    for raw in dict.fromkeys(platforms):
        platform = Platform(raw)
        fmt = (formats or {}).get(platform, DEFAULT_FORMATS[platform])
        out.append(Deliverable(platform, fmt, (counts or {}).get(platform, 1), due_date))
    return tuple(out)


def example_caption(jurisdiction: Jurisdiction, text: str, brand_handle: str) -> str:
    """A compliant sponsored caption: the jurisdiction's preferred label first (``#ad`` in
    the US and Canada, ``Ad`` in the UK and the EU), then ``text``, then the brand's handle."""
    handle = brand_handle if brand_handle.startswith("@") else f"@{brand_handle}"
    return f"{preferred_label(jurisdiction, 'en')} {text.strip()} {handle}"


def build_email_context(
    *,
    sender_name: str,
    sender_company: str,
    sender_postal_address: str,
    reply_to: str,
    brand: str,
    campaign_name: str,
    brief: str,
    creator_display_name: str,
    handle: str,
    platform: Platform,
    niche: str,
    reasons: Sequence[str],
    unsubscribe_url: str,
    followers: int | None = None,
    creator_rate: Decimal | None = None,
    currency: str = "USD",
    posts: Iterable[ScoredPost | tuple[str, str, float | None]] = (),
    deliverables: Sequence[Deliverable] | None = None,
    step: Step = "intro",
    jurisdiction: Jurisdiction = Jurisdiction.US,
    caption_text: str | None = None,
    brand_handle: str | None = None,
) -> EmailContext:
    """An :class:`EmailContext` with the post, fee, deliverables and caption filled in.

    ``deliverables`` defaults to one piece on ``platform``; an example caption is added when
    ``caption_text`` and ``brand_handle`` are given.
    """
    fee = propose_compensation(followers, creator_rate=creator_rate, currency=currency)
    caption = (
        example_caption(jurisdiction, caption_text, brand_handle)
        if caption_text and brand_handle
        else None
    )
    return EmailContext(
        sender_name=sender_name,
        sender_company=sender_company,
        sender_postal_address=sender_postal_address,
        reply_to=reply_to,
        brand=brand,
        campaign_name=campaign_name,
        creator_display_name=creator_display_name,
        handle=handle,
        platform=platform,
        niche=niche,
        reasons=tuple(reasons),
        compensation=fee.compensation,
        deliverables=tuple(deliverables) if deliverables else deliverables_for([platform]),
        unsubscribe_url=unsubscribe_url,
        step=step,
        recent_post=choose_recent_post(posts, brief=brief),
        jurisdiction=jurisdiction,
        example_caption=caption,
    )
