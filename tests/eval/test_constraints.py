"""The constraint suite's grader: what "respects a wish" means, on hand-made records."""

from __future__ import annotations

from typing import Any

import pytest

from eval.constraints import (
    HELDOUT_PATH,
    TUNING_PATH,
    SuiteReport,
    cost_of_post,
    grade,
    load_briefs,
)


def creator(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "platform": "instagram",
        "country": "US",
        "language": "en",
        "followers": 40_000,
        "engagement_rate": 0.05,
        "categories": ["fitness"],
        "rates": {"currency": "USD", "post": 600},
        "audience": {
            "age": {"18-24": 0.2, "25-34": 0.45, "35-44": 0.2, "45-54": 0.1, "55+": 0.05},
            "gender": {"female": 0.8, "male": 0.2},
            "countries": {"US": 0.7, "CA": 0.1},
        },
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    ("record", "wishes", "expected"),
    [
        (creator(), {"countries": ["US"]}, {"countries": True}),
        (creator(), {"countries": ["CA"]}, {"countries": False}),
        # audience countries unknown: the creator's home country decides
        (creator(audience={"gender": {"female": 1}}), {"countries": ["US"]}, {"countries": True}),
        (creator(audience=None, country="IE"), {"countries": ["US"]}, {"countries": False}),
        (creator(), {"genders": ["female"]}, {"genders": True}),
        (creator(), {"genders": ["male"]}, {"genders": False}),
        (creator(audience=None), {"genders": ["female"]}, {"genders": None}),
        (creator(), {"age": ["25-34"]}, {"age": True}),  # the largest band
        (creator(), {"age": ["18-24"]}, {"age": False}),
        (creator(), {"age": ["35-44", "45-54", "55-64"]}, {"age": False}),
        (creator(), {"age": ["18-24", "35-44", "45-54"]}, {"age": True}),  # half of it
        (creator(), {"budget_usd": 2000}, {"budget": True, "over_whole_budget": False}),
        (creator(), {"budget_usd": 1000}, {"budget": False, "over_whole_budget": False}),
        (creator(), {"budget_usd": 500}, {"budget": False, "over_whole_budget": True}),
        (
            creator(),
            {"budget_usd": 3000, "creators_wanted": 6},
            {"budget": False, "over_whole_budget": False},
        ),
        # no rates: the tier benchmark's midpoint (micro: $550)
        (creator(rates=None), {"budget_usd": 1200}, {"budget": True, "over_whole_budget": False}),
        (creator(), {"tiers": ["micro"]}, {"tier": True}),
        (creator(followers=2_000_000), {"tiers": ["micro"]}, {"tier": False}),
        (creator(), {"objective": "awareness"}, {"tier": False}),
        (creator(), {"objective": "conversions"}, {"tier": True}),
        (creator(followers=None), {"objective": "conversions"}, {"tier": None}),
        (creator(), {"platforms": ["tiktok"]}, {"platforms": False}),
        (creator(), {"languages": ["en"]}, {"languages": True}),
        (creator(), {"min_engagement": 0.04}, {"min_engagement": True}),
        (creator(engagement_rate=None), {"min_engagement": 0.04}, {"min_engagement": None}),
    ],
)
def test_grade(record: dict[str, Any], wishes: dict[str, Any], expected: dict[str, Any]) -> None:
    assert grade(record, wishes) == expected


def test_costs_convert_at_the_fixed_rates() -> None:
    assert cost_of_post(creator(rates={"currency": "EUR", "post": 100})) == (
        pytest.approx(108),
        False,
    )
    assert cost_of_post(creator(rates=None, followers=None)) == (None, True)


def test_the_report_counts_only_what_can_be_judged() -> None:
    brief = load_briefs(TUNING_PATH)[0]
    report = SuiteReport("x")
    report.add(brief, [creator(), creator(audience=None), creator(country="GB", audience=None)])
    assert report.judged["genders"] == 1  # two audiences unknown
    assert report.judged["countries"] == 3


def test_both_sets_load() -> None:
    assert len(load_briefs(HELDOUT_PATH)) == 30
    assert len(load_briefs(TUNING_PATH)) == 10
