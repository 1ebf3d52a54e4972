"""The per-record scoring components: high and low cases with their reasons, missing data.
How they combine is tests/matcher/test_scorer.py."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest

from core.errors import InvalidInputError
from matcher.brief import Objective, TargetAudience
from matcher.scoring import (
    ComponentScore,
    audience_fit,
    brand_safety,
    conflicts,
    cost_efficiency,
    engagement_quality,
)

NOW = datetime(2026, 10, 20, 12, tzinfo=UTC)
AUDIENCE = {
    "age": {"18-24": 0.2, "25-34": 0.5, "35-44": 0.2, "45-54": 0.06, "55+": 0.04},
    "gender": {"female": 0.8, "male": 0.18, "other": 0.02},
    "countries": {"US": 0.7, "CA": 0.1},
    "interests": ["skincare", "sustainability", "yoga"],
}
WOMEN_25_34_US = TargetAudience(
    age=(("25-34", 1.0),), genders=("female",), countries=("US",), interests=("sustainability",)
)


def test_audience_fit_matching_audience_scores_high_with_coverage() -> None:
    result = audience_fit(WOMEN_25_34_US, AUDIENCE)
    assert result.score is not None and result.score > 0.65
    assert "50.0% of the audience is 25-34" in result.reasons
    assert "80.0% women" in result.reasons
    assert "70.0% in US" in result.reasons
    assert "audience interests include sustainability" in result.reasons
    assert result.reasons[0].startswith("about 40.0% of the audience is women 25-34")


def test_audience_fit_age_weights_of_zero_are_no_age_target() -> None:
    """{"25-34": 0} was a ZeroDivisionError (a 500 from POST /v1/match, found by
    schemathesis): a band weighted 0 is not targeted; all of them 0, age is not."""
    zero = TargetAudience(age=(("25-34", 0.0),), genders=("female",))
    result = audience_fit(zero, AUDIENCE)
    assert result.score == audience_fit(TargetAudience(genders=("female",)), AUDIENCE).score
    assert not any("25-34" in reason for reason in result.reasons)


def test_audience_fit_mismatched_audience_scores_low() -> None:
    opposite = {
        "age": {"13-17": 0.3, "18-24": 0.6, "25-34": 0.1},
        "gender": {"female": 0.1, "male": 0.9},
        "countries": {"BR": 0.8, "PT": 0.1},
        "interests": ["gaming"],
    }
    low = audience_fit(WOMEN_25_34_US, opposite)
    high = audience_fit(WOMEN_25_34_US, AUDIENCE)
    assert low.score is not None and high.score is not None
    assert low.score < 0.25 < high.score
    assert "0% in US" in low.reasons
    assert "audience interests do not include sustainability" in low.reasons


@pytest.mark.parametrize("audience", [None, {}, {"age": {}, "gender": {}}])
def test_audience_fit_without_audience_is_unknown(audience: Any) -> None:
    result = audience_fit(WOMEN_25_34_US, audience)
    assert result.score is None
    assert result.reasons == ("no audience data",)


def test_audience_fit_without_target_is_unknown() -> None:
    result = audience_fit(TargetAudience(), AUDIENCE)
    assert result.score is None
    assert result.reasons == ("the brief names no target audience",)


def test_partial_audience_uses_the_dimensions_present_and_says_so() -> None:
    partial = {"gender": {"female": 0.8, "male": 0.2}}
    result = audience_fit(WOMEN_25_34_US, partial)
    assert result.score == pytest.approx(result.details["dimensions"]["gender"])
    assert "no age, countries, interests data; scored on gender only" in result.reasons


def test_audience_fit_is_a_distribution_similarity() -> None:
    target = TargetAudience(genders=("female",))
    exact = audience_fit(target, {"gender": {"female": 1.0}})
    half = audience_fit(target, {"gender": {"female": 0.5, "male": 0.5}})
    none = audience_fit(target, {"gender": {"male": 1.0}})
    assert exact.score == pytest.approx(1.0)
    assert none.score == pytest.approx(0.0)
    assert half.score is not None and 0.2 < half.score < 0.6


# ----------------------------------------------------------------------------- engagement


@pytest.mark.parametrize(
    ("record", "reason", "low", "high"),
    [
        (
            {"platform": "instagram", "followers": 50_000, "engagement_rate": 0.052},
            "engagement 5.2%, within the micro benchmark on instagram 3.5%-7.0%",
            0.5,
            0.9,
        ),
        (
            {"platform": "instagram", "followers": 50_000, "engagement_rate": 0.09},
            "engagement 9.0%, above the micro benchmark on instagram 3.5%-7.0%",
            0.9,
            1.0,
        ),
        (
            {"platform": "instagram", "followers": 2_100_000, "engagement_rate": 0.0004},
            "engagement 0.04%, below the mega benchmark on instagram 1.2%-3.0%",
            0.0,
            0.0,
        ),
        (
            {"platform": "tiktok", "followers": 50_000, "engagement_rate": 0.06},
            "engagement 6.0%, within the micro benchmark on tiktok 5.3%-10.5%",
            0.5,
            0.6,
        ),
        (
            {"platform": "linkedin", "followers": 50_000, "avg_likes": 1100, "avg_comments": 100},
            "engagement 2.4% (computed from likes and comments), within the micro benchmark "
            "on linkedin 2.1%-4.2%",
            0.5,
            0.6,
        ),
    ],
)
def test_engagement_quality(record: dict[str, Any], reason: str, low: float, high: float) -> None:
    result = engagement_quality(record)
    assert result.score is not None
    assert low <= result.score <= high
    assert result.reasons == (reason,)


def test_platform_modifiers_change_the_verdict() -> None:
    same = {"followers": 50_000, "engagement_rate": 0.04}
    tiktok = engagement_quality({**same, "platform": "tiktok"}).score
    facebook = engagement_quality({**same, "platform": "facebook"}).score
    assert tiktok is not None and facebook is not None
    assert facebook > tiktok


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"platform": "instagram"}, "engagement unknown"),
        (
            {"platform": "instagram", "engagement_rate": 0.05},
            "engagement 5.0%; follower count unknown, no benchmark",
        ),
    ],
)
def test_engagement_quality_missing(record: dict[str, Any], reason: str) -> None:
    assert engagement_quality(record) == ComponentScore("engagement_quality", None, (reason,))


# --------------------------------------------------------------------------- authenticity


def _creator(**extra: Any) -> dict[str, Any]:
    return {
        "platform": "instagram",
        "followers": 50_000,
        "avg_likes": 2_400,
        "avg_comments": 100,
        **extra,
    }


def test_cheap_creator_scores_high_dear_creator_low() -> None:
    cheap = cost_efficiency(_creator(rates={"currency": "USD", "post": 150}), Objective.CONVERSIONS)
    dear = cost_efficiency(
        _creator(rates={"currency": "USD", "post": 6_000}), Objective.CONVERSIONS
    )
    assert cheap.score is not None and dear.score is not None
    assert cheap.score > 0.7 > 0.2 > dear.score
    assert cheap.reasons[0] == "$150 a post (rates.post)"
    assert "$0.06 per engagement" in cheap.reasons[1]


def test_cost_from_benchmark_when_no_rates_and_says_so() -> None:
    result = cost_efficiency(_creator(), Objective.CONVERSIONS)
    assert result.details["cost_source"] == "benchmark"
    assert (
        result.reasons[0]
        == "no rates; estimated $550 a post from the micro benchmark ($100-$1,000)"
    )


def test_cost_converts_eur_at_a_stated_fixed_rate() -> None:
    result = cost_efficiency(
        _creator(rates={"currency": "EUR", "post": 500}), Objective.CONVERSIONS
    )
    assert result.details["cost_per_post_usd"] == pytest.approx(540.0)
    assert "at a fixed 1.08 USD/EUR, an assumption" in result.reasons[0]


def test_reach_objectives_use_cost_per_thousand_followers() -> None:
    result = cost_efficiency(_creator(rates={"post": 500}), Objective.AWARENESS)
    assert "cost_per_1000_followers" in result.details
    assert any("per 1,000 followers" in r for r in result.reasons)


def test_cost_unknown_without_followers() -> None:
    assert cost_efficiency({"platform": "instagram"}, None).score is None


# ------------------------------------------------------------------------- brand safety


@pytest.mark.parametrize(
    ("text", "category", "word"),
    [
        ("Friday night tequila shots with the crew", "alcohol", "tequila"),
        ("Noche de cervezas con amigos", "alcohol", "cervezas"),
        ("Soirée bière et pizza", "alcohol", "biere"),
        ("Feierabend mit einem kühlen Bier", "alcohol", "bier"),
        ("Won big at the casino last night", "gambling", "casino"),
        ("Apuestas deportivas de hoy", "gambling", "apuestas"),
        ("Sportwetten für Anfänger", "gambling", "sportwetten"),
        ("this is fucking great", "profanity", "fucking"),
        ("Putain, quelle journée", "profanity", "putain"),
        ("Legalize cannabis now", "drugs", "cannabis"),
        ("Proud republicans here", "politics", "republicans"),
        ("link to my onlyfans in bio", "adult", "onlyfans"),
    ],
)
def test_brand_safety_finds_words_in_four_languages(text: str, category: str, word: str) -> None:
    record = {"bio": "Creator", "recent_posts": [{"text": text}]}
    result = brand_safety(record, [category])
    assert result.score is not None and result.score <= 0.6
    assert result.reasons == (f"{category}: '{word}' in post 1",)


@pytest.mark.parametrize(
    "text",
    ["Morning yoga and green smoothies", "Skills for the kitchen", "Paris in spring", "Ginger tea"],
)
def test_brand_safety_clean_content_scores_one(text: str) -> None:
    result = brand_safety({"bio": text, "recent_posts": [{"text": text}]})
    assert result.score == 1.0
    assert result.reasons[0].startswith("no alcohol, gambling")


def test_brand_safety_more_categories_cost_more() -> None:
    one = brand_safety({"bio": "beer lover"})
    two = brand_safety({"bio": "beer lover and poker player"})
    assert one.score is not None and two.score is not None
    assert two.score < one.score < 1.0


def test_brand_safety_unknown_category_and_missing_text() -> None:
    with pytest.raises(InvalidInputError) as exc:
        brand_safety({"bio": "x"}, ["tobacco"])
    assert exc.value.errors[0].field == "brand_safety"
    assert brand_safety({"platform": "x"}).score is None


def test_brand_safety_custom_lexicon() -> None:
    result = brand_safety({"bio": "I love vaping"}, keywords={"tobacco": ["vap*"]})
    assert result.reasons == ("tobacco: 'vaping' in bio",)


# ------------------------------------------------------------------------------ conflicts


def _posts(*items: tuple[str, str]) -> dict[str, Any]:
    return {"recent_posts": [{"text": t, "posted_at": at} for t, at in items]}


@pytest.mark.parametrize(
    ("record", "reason", "low", "high"),
    [
        (
            _posts(("Loving my new @competitorx serum", "2026-10-03T10:00:00Z")),
            "mentioned CompetitorX on 2026-10-03",
            0.0,
            0.2,
        ),
        (
            _posts(("#CompetitorX haul", "2026-01-03T10:00:00Z")),
            "mentioned CompetitorX on 2026-01-03 (over 90 days ago)",
            0.85,
            0.95,
        ),
        (
            {"brands_mentioned": ["competitorx"], "recent_posts": []},
            "has worked with CompetitorX",
            0.5,
            0.5,
        ),
        (
            _posts(("Green smoothie time", "2026-10-10T10:00:00Z")),
            "no mention of CompetitorX",
            1.0,
            1.0,
        ),
    ],
)
def test_conflicts(record: dict[str, Any], reason: str, low: float, high: float) -> None:
    result = conflicts(record, ["CompetitorX"], NOW)
    assert result.score is not None and low <= result.score <= high
    assert reason in result.reasons


def test_conflicts_unknown_without_competitors_or_content() -> None:
    assert conflicts(_posts(("x", "2026-10-01")), [], NOW).score is None
    assert conflicts({}, ["CompetitorX"], NOW).score is None


def test_conflict_brand_name_with_spaces_matches_joined_handle() -> None:
    result = conflicts(_posts(("thanks @greenbowl", "2026-10-15T00:00:00Z")), ["Green Bowl"], NOW)
    assert result.reasons == ("mentioned Green Bowl on 2026-10-15",)


# ------------------------------------------------------------------------------- tier fit


def test_fold_strips_every_combining_mark() -> None:
    import sys
    import unicodedata

    from matcher import scoring

    above = [
        cp
        for cp in range(scoring._COMBINING_END, sys.maxunicode + 1)
        if unicodedata.combining(chr(cp))
    ]
    assert above == []
    assert scoring._fold("Crème BRÛLÉE naïve Straße 小米") == "creme brulee naive strasse 小米"


@pytest.mark.parametrize(
    ("p", "q", "expected"),
    [
        ({"a": 1.0}, {"a": 2.0}, 1.0),
        ({"a": 1.0}, {"b": 1.0}, 0.0),
        ({"a": 0.7, "b": 0.3}, {"a": 0.2, "b": 0.5, "c": 0.3}, None),
    ],
)
def test_js_similarity_against_the_definition(
    p: dict[str, float], q: dict[str, float], expected: float | None
) -> None:

    import numpy as np

    from matcher.scoring import _js_similarity

    keys = sorted(set(p) | set(q))
    a = np.array([p.get(k, 0.0) for k in keys]) / sum(p.values())
    b = np.array([q.get(k, 0.0) for k in keys]) / sum(q.values())
    m = (a + b) / 2

    def kl(x: np.ndarray) -> float:
        return float(sum(xi * math.log2(xi / mi) for xi, mi in zip(x, m, strict=True) if xi > 0))

    reference = 1 - math.sqrt((kl(a) + kl(b)) / 2)
    assert _js_similarity(p, q) == pytest.approx(reference, abs=1e-12)
    if expected is not None:
        assert _js_similarity(p, q) == pytest.approx(expected)
