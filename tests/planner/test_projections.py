"""Projections of concrete creators against figures computed by hand (see docs/planner.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.errors import InvalidInputError
from core.platforms import PLATFORM_ENGAGEMENT_MODIFIERS as CORE_MODIFIERS
from core.tiers import TIER_BENCHMARKS, Tier
from matcher.features import PLATFORM_ENGAGEMENT_MODIFIERS as MATCHER_MODIFIERS
from planner.projections import (
    PLATFORM_ENGAGEMENT_MODIFIERS,
    Candidate,
    ModelEstimate,
    Range,
    Source,
    project,
    totals,
)

# Lena: all her own figures. 48,200 x 4.5% = 2,169 engagements; x 2.4% (micro) = 52.056.
LENA = Candidate(1, "lena", "instagram", 48_200, engagement_rate=0.045, rate=450.0)
# Tom: nothing known but followers, on TikTok: micro benchmarks x 1.5 for engagement.
TOM = Candidate(2, "tom", "tiktok", 22_000)
# Maya: mega on YouTube with her rate; engagement from the mega range x 0.8.
MAYA = Candidate(3, "maya", "youtube", 2_500_000, rate=30_000.0)


def triple(r: Range) -> tuple[float, float, float]:
    return (r.low, r.expected, r.high)


def test_observed_creator() -> None:
    p = project(LENA)
    assert p.tier is Tier.MICRO
    assert p.cost == Range.point(450.0)
    assert p.reach == Range.point(48_200.0)
    assert p.engagements.expected == pytest.approx(2169.0)
    assert p.engagements.low == p.engagements.high == p.engagements.expected
    assert p.conversion_rate == 0.024
    assert p.conversions.expected == pytest.approx(52.056)
    assert p.cost_per_engagement is not None and p.cost_per_acquisition is not None
    assert p.cost_per_engagement.expected == pytest.approx(450 / 2169)
    assert p.cost_per_acquisition.expected == pytest.approx(450 / 52.056)
    assert (p.cost_source, p.engagement_source, p.conversion_source) == (
        Source.OBSERVED,
        Source.OBSERVED,
        Source.BENCHMARKS,
    )
    assert p.source is Source.BENCHMARKS


def test_benchmark_creator() -> None:
    p = project(TOM)
    assert p.tier is Tier.MICRO
    assert p.engagement_rate.low == pytest.approx(0.0525)
    assert p.engagement_rate.expected == pytest.approx(0.07875)
    assert p.engagement_rate.high == pytest.approx(0.105)
    assert p.cost == Range(100.0, 550.0, 1000.0)
    assert p.engagements.low == pytest.approx(1155.0)
    assert p.engagements.expected == pytest.approx(1732.5)
    assert p.engagements.high == pytest.approx(2310.0)
    assert p.conversions.low == pytest.approx(27.72)
    assert p.conversions.expected == pytest.approx(41.58)
    assert p.conversions.high == pytest.approx(55.44)
    cpe, cpa = p.cost_per_engagement, p.cost_per_acquisition
    assert cpe is not None and cpa is not None
    # low = best case (lowest cost, most engagements), high = worst case
    assert (cpe.low, cpe.expected, cpe.high) == pytest.approx(
        (100 / 2310, 550 / 1732.5, 1000 / 1155)
    )
    assert (cpa.low, cpa.expected, cpa.high) == pytest.approx(
        (100 / 55.44, 550 / 41.58, 1000 / 27.72)
    )
    assert p.cost_source is Source.BENCHMARKS and p.engagement_source is Source.BENCHMARKS


def test_mega_creator_with_rate() -> None:
    p = project(MAYA)
    assert p.tier is Tier.MEGA
    assert p.engagements.low == pytest.approx(24_000.0)
    assert p.engagements.expected == pytest.approx(42_000.0)
    assert p.engagements.high == pytest.approx(60_000.0)
    assert p.conversion_rate == 0.011
    assert p.conversions.expected == pytest.approx(462.0)
    cpe = p.cost_per_engagement
    assert cpe is not None
    assert (cpe.low, cpe.expected, cpe.high) == pytest.approx((0.5, 30_000 / 42_000, 1.25))


def test_micro_converts_better_than_mega_per_engagement() -> None:
    assert project(LENA).conversion_rate == 0.024
    assert project(MAYA).conversion_rate == 0.011


@pytest.mark.parametrize(
    ("tier", "rate"),
    [
        (Tier.NANO, 0.025),
        (Tier.MICRO, 0.024),
        (Tier.MID, 0.018),
        (Tier.MACRO, 0.014),
        (Tier.MEGA, 0.011),
    ],
)
def test_conversion_rates_by_tier(tier: Tier, rate: float) -> None:
    assert TIER_BENCHMARKS[tier].conversion_rate == rate
    assert project(Candidate(9, "x", "instagram", 5_000, tier=tier)).conversion_rate == rate


def test_given_tier_wins_over_followers() -> None:
    assert project(Candidate(9, "x", "instagram", 5_000, tier=Tier.MACRO)).tier is Tier.MACRO
    assert Candidate(9, "x", "instagram", 5_000).effective_tier is Tier.NANO


def test_totals_sum_ranges_and_divide_the_sums() -> None:
    t = totals([project(LENA), project(TOM)])
    assert t.count == 2
    assert t.cost == Range(550.0, 1000.0, 1450.0)
    assert t.reach == Range.point(70_200.0)
    assert (t.engagements.low, t.engagements.expected, t.engagements.high) == pytest.approx(
        (3324.0, 3901.5, 4479.0)
    )
    cpe = t.cost_per_engagement
    assert cpe is not None
    assert (cpe.low, cpe.expected, cpe.high) == pytest.approx(
        (550 / 4479, 1000 / 3901.5, 1450 / 3324)
    )
    assert t.roi is None


def test_roi_needs_a_value_per_conversion_and_uses_the_extremes() -> None:
    t = totals([project(TOM)], value_per_conversion=50.0)
    assert t.roi is not None
    assert t.roi.expected == pytest.approx((41.58 * 50 - 550) / 550)
    assert t.roi.low == pytest.approx((27.72 * 50 - 1000) / 1000)
    assert t.roi.high == pytest.approx((55.44 * 50 - 100) / 100)


def test_empty_totals() -> None:
    t = totals([])
    assert t.count == 0 and t.cost == Range.zero()
    assert t.cost_per_engagement is None


def test_zero_followers_have_no_cost_per_engagement() -> None:
    p = project(Candidate(9, "ghost", "instagram", 0, rate=10.0))
    assert p.engagements == Range.zero()
    assert p.cost_per_engagement is None and p.cost_per_acquisition is None


def test_benchmark_cost_is_converted_with_fx_and_rates_are_not() -> None:
    assert triple(project(TOM, fx=0.9).cost) == pytest.approx((90.0, 495.0, 900.0))
    assert project(LENA, fx=0.9).cost == Range.point(450.0)
    with pytest.raises(InvalidInputError) as info:
        project(TOM, fx=0)
    assert info.value.errors[0].field == "fx"


@dataclass(frozen=True)
class FixedModel:
    name: str = "fixed"

    def predict(self, candidate: Candidate) -> ModelEstimate | None:
        return ModelEstimate(engagement_rate=Range(0.01, 0.02, 0.03), conversion_rate=0.05)


def test_a_model_fills_what_the_creator_data_lacks() -> None:
    p = project(TOM, model=FixedModel())
    assert p.engagement_source is Source.MODEL and p.conversion_source is Source.MODEL
    assert p.engagements.expected == pytest.approx(440.0)
    assert p.conversions.expected == pytest.approx(22.0)
    assert p.source is Source.BENCHMARKS  # the cost is still a benchmark
    observed = project(LENA, model=FixedModel())
    assert observed.engagement_source is Source.OBSERVED
    assert observed.source is Source.MODEL


def test_the_planner_and_the_matcher_read_one_platform_table() -> None:
    assert PLATFORM_ENGAGEMENT_MODIFIERS is MATCHER_MODIFIERS is CORE_MODIFIERS


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"engagement_rate": 3.5}, "candidates.7.engagement_rate"),
        ({"rate": -1.0}, "candidates.7.rate"),
        ({"match_score": 1.5}, "candidates.7.match_score"),
        ({"followers": -5}, "candidates.7.followers"),
    ],
)
def test_bad_candidate_names_the_field(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"id": 7, "handle": "h", "platform": "instagram", "followers": 1000}
    with pytest.raises(InvalidInputError) as info:
        Candidate(**{**base, **kwargs})  # type: ignore[arg-type]
    assert info.value.errors[0].field == field


@pytest.mark.parametrize("values", [(2.0, 1.0, 3.0), (1.0, 3.0, 2.0), (0.0, float("inf"), 1.0)])
def test_range_must_be_ordered_and_finite(values: tuple[float, float, float]) -> None:
    with pytest.raises(ValueError, match="range"):
        Range(*values)
