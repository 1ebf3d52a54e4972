"""The authenticity model: rules that explain themselves, and an anomaly model that finds
bought-follower profiles in a realistic synthetic population."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from core.tiers import TIER_BENCHMARKS, tier_for_followers
from matcher.authenticity import AuthenticityModel, AuthenticityScore
from matcher.features import PLATFORM_ENGAGEMENT_MODIFIERS

PLATFORMS = ("instagram", "tiktok", "youtube")


def organic(rng: np.random.Generator, i: int) -> dict[str, Any]:
    """A creator whose numbers follow the tier benchmarks with realistic spread."""
    platform = PLATFORMS[i % len(PLATFORMS)]
    followers = int(10 ** rng.uniform(3.3, 6.6))
    tier = tier_for_followers(followers)
    assert tier is not None
    low, high = TIER_BENCHMARKS[tier].engagement_rate
    mod = PLATFORM_ENGAGEMENT_MODIFIERS[platform]
    rate = math.exp(rng.normal(math.log(math.sqrt(low * high) * mod), 0.3))
    ratio = math.exp(rng.normal(math.log(35), 0.35))  # likes per comment, ~18-70
    engagements = rate * followers
    comments = engagements / (ratio + 1)
    record: dict[str, Any] = {
        "platform": platform,
        "handle": f"organic{i}",
        "followers": followers,
        "avg_likes": round(engagements - comments),
        "avg_comments": round(comments),
        "posts_per_month": round(float(rng.uniform(4, 30)), 1),
    }
    if platform != "instagram":
        record["avg_views"] = round(followers * math.exp(rng.normal(math.log(0.4), 0.5)))
    return record


def bought_followers(rng: np.random.Generator, i: int) -> dict[str, Any]:
    """An organic creator who bought 5-30x their followers; half also bought likes."""
    base = organic(rng, i)
    real = base["followers"]
    base["handle"] = f"bought{i}"
    base["followers"] = int(real * rng.uniform(5, 30))
    if i % 2:
        base["avg_likes"] = int(base["avg_likes"] * rng.uniform(3, 8))
    if "avg_views" in base:
        base["avg_views"] = int(base["avg_views"] * rng.uniform(0.8, 1.5))
    return base


def population(seed: int, n_organic: int = 400, n_fake: int = 20) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    return [organic(rng, i) for i in range(n_organic)] + [
        bought_followers(rng, i) for i in range(n_fake)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_flags_bought_follower_profiles_with_precision_and_recall(seed: int) -> None:
    records = population(seed)
    scores = AuthenticityModel(random_state=0).fit(records).score(records)
    truth = [r["handle"].startswith("bought") for r in records]
    flagged = [s.flagged for s in scores]
    tp = sum(t and f for t, f in zip(truth, flagged, strict=True))
    precision = tp / max(1, sum(flagged))
    recall = tp / sum(truth)
    assert precision >= 0.8, (precision, recall)
    assert recall >= 0.8, (precision, recall)


def test_same_records_same_scores() -> None:
    records = population(7, n_organic=120, n_fake=6)
    first = AuthenticityModel(random_state=3).fit(records).score(records)
    second = AuthenticityModel(random_state=3).fit(records).score(records)
    assert first == second


def test_a_flagged_profile_says_why_in_numbers() -> None:
    records = population(4)
    fake = {
        "platform": "instagram",
        "handle": "bought.mega",
        "followers": 2_100_000,
        "avg_likes": 800,
        "avg_comments": 2,
        "posts_per_month": 10,
    }
    [score] = AuthenticityModel().fit(records).score([fake])
    assert score.flagged
    assert score.score is not None and score.score < 0.3
    assert "2.1M followers, 0.04% engagement (mega benchmark 1.2%-3.0%)" in score.reasons
    assert "likes-to-comments 400:1 (typical 20-60:1)" in score.reasons
    assert "ENGAGEMENT_FAR_BELOW_BENCHMARK" in score.red_flags


@pytest.mark.parametrize(
    ("record", "code"),
    [
        (
            {"platform": "instagram", "followers": 50_000, "avg_likes": 300, "avg_comments": 6},
            "ENGAGEMENT_FAR_BELOW_BENCHMARK",
        ),
        (
            {"platform": "instagram", "followers": 50_000, "avg_likes": 2500, "avg_comments": 5},
            "LIKES_TO_COMMENTS_HIGH",
        ),
        (
            {"platform": "instagram", "followers": 20_000, "avg_likes": 300, "avg_comments": 900},
            "MORE_COMMENTS_THAN_LIKES",
        ),
        (
            {
                "platform": "instagram",
                "followers": 50_000,
                "avg_likes": 14_000,
                "avg_comments": 400,
            },
            "ENGAGEMENT_IMPLAUSIBLY_HIGH",
        ),
        (
            {
                "platform": "tiktok",
                "followers": 400_000,
                "avg_likes": 12_000,
                "avg_comments": 300,
                "avg_views": 2_000,
            },
            "VIEWS_FAR_BELOW_FOLLOWERS",
        ),
    ],
)
def test_each_rule_fires_without_a_model(record: dict[str, Any], code: str) -> None:
    model = AuthenticityModel().fit([])  # too few records: rules only
    assert model.forest_ is None
    [score] = model.score([record])
    assert code in score.red_flags
    assert score.model_score is None
    assert score.score is not None and score.score < 1.0


@pytest.mark.parametrize(
    "record",
    [
        {"platform": "instagram", "followers": 50_000, "avg_likes": 2400, "avg_comments": 60},
        {
            "platform": "tiktok",
            "followers": 300_000,
            "avg_likes": 15_000,
            "avg_comments": 300,
            "avg_views": 120_000,
        },
        {"platform": "youtube", "followers": 5_000, "engagement_rate": 0.05},
    ],
)
def test_healthy_profiles_raise_no_flags(record: dict[str, Any]) -> None:
    [score] = AuthenticityModel().fit([]).score([record])
    assert score == AuthenticityScore(
        score=1.0, flagged=False, reasons=(), red_flags=(), model_score=None, rule_score=1.0
    )


@pytest.mark.parametrize(
    "record",
    [
        {"platform": "instagram", "handle": "a"},
        {"platform": "instagram", "followers": 10_000},
        {"platform": "instagram", "avg_likes": 100, "avg_comments": 3},
    ],
)
def test_missing_data_gives_no_score(record: dict[str, Any]) -> None:
    [score] = AuthenticityModel().fit(population(1, 60, 0)).score([record])
    assert score.score is None
    assert not score.flagged
    assert score.reasons == ("not enough data: followers and engagement needed",)


def test_score_before_fit_raises() -> None:
    with pytest.raises(RuntimeError, match="before fit"):
        AuthenticityModel().score([])


def test_fit_returns_self_and_sets_learned_attributes() -> None:
    model = AuthenticityModel()
    assert model.fit(population(5, 50, 2)) is model
    assert model.n_fit_records_ == 52
    assert model.forest_ is not None
