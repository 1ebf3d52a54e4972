from __future__ import annotations

import pytest

from core.tiers import TIER_BENCHMARKS, Tier, tier_bounds, tier_for_followers


@pytest.mark.parametrize(
    ("followers", "tier"),
    [
        (0, Tier.EMERGING),
        (999, Tier.EMERGING),
        (1_000, Tier.NANO),
        (9_999, Tier.NANO),
        (10_000, Tier.MICRO),
        (99_999, Tier.MICRO),
        (100_000, Tier.MID),
        (499_999, Tier.MID),
        (500_000, Tier.MACRO),
        (999_999, Tier.MACRO),
        (1_000_000, Tier.MEGA),
        (350_000_000, Tier.MEGA),
    ],
)
def test_tier_at_every_boundary(followers: int, tier: Tier) -> None:
    assert tier_for_followers(followers) is tier


def test_unknown_followers_have_no_tier() -> None:
    assert tier_for_followers(None) is None


def test_negative_followers_are_refused() -> None:
    with pytest.raises(ValueError, match="followers must be >= 0"):
        tier_for_followers(-1)


@pytest.mark.parametrize("tier", list(Tier))
def test_bounds_agree_with_the_tier_function(tier: Tier) -> None:
    low, high = tier_bounds(tier)
    assert tier_for_followers(low) is tier
    if high is not None:
        assert tier_for_followers(high - 1) is tier
        assert tier_for_followers(high) is not tier


def test_benchmarks_match_the_domain_facts() -> None:
    micro, mega = TIER_BENCHMARKS[Tier.MICRO], TIER_BENCHMARKS[Tier.MEGA]
    assert micro.engagement_rate == (0.035, 0.07)
    assert mega.engagement_rate == (0.012, 0.03)
    assert micro.conversion_rate > mega.conversion_rate
    assert micro.cost_per_post_usd[1] <= mega.cost_per_post_usd[0]
