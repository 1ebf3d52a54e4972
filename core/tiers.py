"""Creator tiers by follower count, and the benchmarks that go with them.

The tier boundaries are the industry's usual ones: nano 1K-10K, micro 10K-100K, mid-tier
100K-500K, macro 500K-1M, mega 1M+. Below 1K a creator is ``emerging``. A lower bound is
inclusive: exactly 10,000 followers is micro, exactly 1,000,000 is mega.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["TIER_BENCHMARKS", "Tier", "TierBenchmark", "tier_bounds", "tier_for_followers"]


class Tier(StrEnum):
    EMERGING = "emerging"
    NANO = "nano"
    MICRO = "micro"
    MID = "mid"
    MACRO = "macro"
    MEGA = "mega"


# (tier, inclusive lower bound, exclusive upper bound or None)
_BOUNDS: tuple[tuple[Tier, int, int | None], ...] = (
    (Tier.EMERGING, 0, 1_000),
    (Tier.NANO, 1_000, 10_000),
    (Tier.MICRO, 10_000, 100_000),
    (Tier.MID, 100_000, 500_000),
    (Tier.MACRO, 500_000, 1_000_000),
    (Tier.MEGA, 1_000_000, None),
)


def tier_for_followers(followers: int | None) -> Tier | None:
    """The tier of a creator with ``followers`` followers; None when the count is unknown.

    Raises:
        ValueError: for a negative count.
    """
    if followers is None:
        return None
    if followers < 0:
        raise ValueError(f"followers must be >= 0, got {followers}")
    for tier, low, high in _BOUNDS:
        if followers >= low and (high is None or followers < high):
            return tier
    raise AssertionError("unreachable: the bounds cover every non-negative count")


def tier_bounds(tier: Tier) -> tuple[int, int | None]:
    """The follower range ``[low, high)`` of a tier; ``high`` is None for mega."""
    for t, low, high in _BOUNDS:
        if t is tier:
            return low, high
    raise KeyError(tier)


@dataclass(frozen=True)
class TierBenchmark:
    """Typical figures for one tier: engagement rate and cost per post as (low, high) ranges,
    conversion rate as a fraction."""

    engagement_rate: tuple[float, float]
    cost_per_post_usd: tuple[float, float]
    conversion_rate: float


# Sources: the background articles in shared/docs (micro 3.5-7% engagement, $100-1,000 a post,
# 2.4% conversion; mega 1.2-3%, $10,000-100,000+, 1.1%). Nano, mid and macro are interpolated
# from the same sources and marked as estimates in docs/tiers.md.
TIER_BENCHMARKS: dict[Tier, TierBenchmark] = {
    Tier.EMERGING: TierBenchmark((0.04, 0.10), (0.0, 100.0), 0.025),
    Tier.NANO: TierBenchmark((0.04, 0.08), (10.0, 100.0), 0.025),
    Tier.MICRO: TierBenchmark((0.035, 0.07), (100.0, 1_000.0), 0.024),
    Tier.MID: TierBenchmark((0.02, 0.045), (1_000.0, 5_000.0), 0.018),
    Tier.MACRO: TierBenchmark((0.015, 0.035), (5_000.0, 10_000.0), 0.014),
    Tier.MEGA: TierBenchmark((0.012, 0.03), (10_000.0, 100_000.0), 0.011),
}
