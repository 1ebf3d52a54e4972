"""Per-creator numeric features, computed from a creator record and robust to missing values.

A record is the plain dict of ``docs/creator-record.md``; any field may be missing, None, or
of the wrong type (it is then treated as missing). A feature that cannot be computed is None
in :class:`CreatorFeatures` and NaN in :func:`feature_matrix`, never 0.

Engagement is compared with the tier benchmark of ``core.tiers`` scaled by a platform
modifier (:data:`PLATFORM_ENGAGEMENT_MODIFIERS`): the core benchmarks are Instagram-like
figures, TikTok engagement typically runs higher, X, Facebook and LinkedIn lower.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from core.platforms import PLATFORM_ENGAGEMENT_MODIFIERS
from core.tiers import TIER_BENCHMARKS, Tier, tier_for_followers

__all__ = [
    "FEATURE_NAMES",
    "PLATFORM_ENGAGEMENT_MODIFIERS",
    "CreatorFeatures",
    "benchmark_engagement",
    "creator_features",
    "feature_matrix",
    "format_count",
    "format_pct",
]

FEATURE_NAMES: tuple[str, ...] = (
    "log_followers",
    "engagement_rate",
    "engagement_vs_benchmark",
    "likes_to_comments",
    "views_to_followers",
    "posts_per_month",
)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    if math.isnan(f) or math.isinf(f) or f < 0:
        return None
    return f


def _likes_to_comments(likes: float | None, comments: float | None) -> float | None:
    if likes is None or comments is None:
        return None
    # zero comments counts as one: still an extreme ratio, but finite
    return likes / max(comments, 1.0)


def format_count(n: float) -> str:
    """``2100000`` -> ``"2.1M"``, ``48200`` -> ``"48.2K"``, ``950`` -> ``"950"``."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{n:.0f}"


def format_pct(fraction: float) -> str:
    """A fraction as a percentage with sensible precision: 0.052 -> 5.2%, 0.0004 -> 0.04%."""
    pct = fraction * 100
    if pct == 0:
        return "0%"
    if pct < 0.1:
        return f"{pct:.2f}%"
    return f"{pct:.1f}%"


def benchmark_engagement(tier: Tier, platform: str | None) -> tuple[float, float]:
    """The (low, high) engagement-rate benchmark of ``tier`` on ``platform``."""
    low, high = TIER_BENCHMARKS[tier].engagement_rate
    mod = PLATFORM_ENGAGEMENT_MODIFIERS.get((platform or "").lower(), 1.0)
    return low * mod, high * mod


@dataclass(frozen=True)
class CreatorFeatures:
    """Numeric features of one creator; None where the record does not say.

    ``engagement_rate`` is the record's rate, else ``(avg_likes + avg_comments) / followers``
    (then ``engagement_rate_computed`` is True). ``engagement_vs_benchmark`` is the rate
    divided by the low end of the tier+platform benchmark (1.0 = at the low end).
    """

    platform: str | None
    followers: float | None
    tier: Tier | None
    log_followers: float | None
    avg_likes: float | None
    avg_comments: float | None
    avg_views: float | None
    engagement_rate: float | None
    engagement_rate_computed: bool
    likes_per_follower: float | None
    comments_per_follower: float | None
    likes_to_comments: float | None
    views_to_followers: float | None
    posts_per_month: float | None
    benchmark: tuple[float, float] | None
    engagement_vs_benchmark: float | None

    def vector(self) -> list[float]:
        """The :data:`FEATURE_NAMES` values, NaN for unknown."""
        values = [getattr(self, name) for name in FEATURE_NAMES]
        return [math.nan if v is None else float(v) for v in values]


def creator_features(record: Mapping[str, Any]) -> CreatorFeatures:
    """The features of one creator record (see the module docstring for missing values)."""
    platform = record.get("platform")
    platform = platform.lower() if isinstance(platform, str) else None
    followers = _number(record.get("followers"))
    tier = tier_for_followers(int(followers)) if followers is not None else None
    likes = _number(record.get("avg_likes"))
    comments = _number(record.get("avg_comments"))
    views = _number(record.get("avg_views"))
    rate = _number(record.get("engagement_rate"))
    computed = bool(record.get("engagement_rate_computed"))
    if rate is None and followers and (likes is not None or comments is not None):
        rate = ((likes or 0.0) + (comments or 0.0)) / followers
        computed = True
    per_follower = followers if followers else None
    benchmark = benchmark_engagement(tier, platform) if tier is not None else None
    return CreatorFeatures(
        platform=platform,
        followers=followers,
        tier=tier,
        log_followers=math.log10(followers + 1) if followers is not None else None,
        avg_likes=likes,
        avg_comments=comments,
        avg_views=views,
        engagement_rate=rate,
        engagement_rate_computed=computed,
        likes_per_follower=likes / per_follower if likes is not None and per_follower else None,
        comments_per_follower=(
            comments / per_follower if comments is not None and per_follower else None
        ),
        likes_to_comments=_likes_to_comments(likes, comments),
        views_to_followers=views / per_follower if views is not None and per_follower else None,
        posts_per_month=_number(record.get("posts_per_month")),
        benchmark=benchmark,
        engagement_vs_benchmark=(
            rate / benchmark[0] if rate is not None and benchmark and benchmark[0] > 0 else None
        ),
    )


def feature_matrix(records: Sequence[Mapping[str, Any]]) -> npt.NDArray[np.float64]:
    """An ``(n, len(FEATURE_NAMES))`` float64 matrix of features, NaN where unknown."""
    rows = [creator_features(r).vector() for r in records]
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES))
