"""Per-creator features: values, benchmarks and robustness to missing or malformed fields."""

from __future__ import annotations

import math
from typing import Any

import pytest

from core.tiers import Tier
from matcher.features import (
    FEATURE_NAMES,
    benchmark_engagement,
    creator_features,
    feature_matrix,
    format_count,
    format_pct,
)


def test_features_of_a_full_record() -> None:
    f = creator_features(
        {
            "platform": "TikTok",
            "followers": 40_000,
            "avg_likes": 2_000,
            "avg_comments": 50,
            "avg_views": 20_000,
            "posts_per_month": 12,
        }
    )
    assert f.platform == "tiktok"
    assert f.tier is Tier.MICRO
    assert f.engagement_rate == pytest.approx(2_050 / 40_000)
    assert f.engagement_rate_computed
    assert f.likes_to_comments == pytest.approx(40.0)
    assert f.views_to_followers == pytest.approx(0.5)
    assert f.log_followers == pytest.approx(math.log10(40_001))
    assert f.benchmark == pytest.approx((0.035 * 1.5, 0.07 * 1.5))
    assert f.engagement_vs_benchmark == pytest.approx((2_050 / 40_000) / (0.035 * 1.5))


def test_reported_rate_wins_over_computed() -> None:
    f = creator_features({"followers": 10_000, "engagement_rate": 0.08, "avg_likes": 10})
    assert f.engagement_rate == 0.08
    assert not f.engagement_rate_computed


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"followers": None, "avg_likes": "lots"},
        {"followers": -5, "avg_comments": math.nan},
        {"followers": True, "avg_views": math.inf},
        {"followers": 0, "avg_likes": 10, "avg_comments": 1},
    ],
)
def test_missing_or_malformed_fields_are_unknown_not_zero(record: dict[str, Any]) -> None:
    f = creator_features(record)
    assert f.engagement_rate is None
    assert f.engagement_vs_benchmark is None
    assert f.views_to_followers is None


def test_zero_comments_gives_a_finite_extreme_ratio() -> None:
    f = creator_features({"followers": 10_000, "avg_likes": 500, "avg_comments": 0})
    assert f.likes_to_comments == 500


def test_feature_matrix_uses_nan_for_unknown() -> None:
    x = feature_matrix([{"followers": 1_000}, {"platform": "x"}])
    assert x.shape == (2, len(FEATURE_NAMES))
    assert math.isnan(x[1, 0])
    assert x[0, 0] == pytest.approx(math.log10(1_001))
    assert feature_matrix([]).shape == (0, len(FEATURE_NAMES))


@pytest.mark.parametrize(
    ("platform", "factor"), [("instagram", 1.0), ("tiktok", 1.5), ("x", 0.4), (None, 1.0)]
)
def test_platform_modifiers_scale_the_benchmark(platform: str | None, factor: float) -> None:
    assert benchmark_engagement(Tier.MID, platform) == pytest.approx(
        (0.02 * factor, 0.045 * factor)
    )


@pytest.mark.parametrize(
    ("n", "text"), [(2_100_000, "2.1M"), (48_200, "48.2K"), (950, "950"), (1_000, "1K")]
)
def test_format_count(n: int, text: str) -> None:
    assert format_count(n) == text


@pytest.mark.parametrize(("x", "text"), [(0.052, "5.2%"), (0.0004, "0.04%"), (0.0, "0%")])
def test_format_pct(x: float, text: str) -> None:
    assert format_pct(x) == text
