"""Objectives, the outcome each maximises, the default tier mixes and organisation overrides."""

from __future__ import annotations

import math

import pytest

from core.errors import InvalidInputError
from core.tiers import Tier
from models.campaign import OBJECTIVES
from planner.mixes import (
    DEFAULT_MIXES,
    OUTCOME_FOR,
    SHARE_TOLERANCE,
    Objective,
    Outcome,
    TierMix,
    apply_overrides,
    mix_for,
    parse_objective,
)


def test_objectives_are_the_campaign_objectives() -> None:
    assert tuple(o.value for o in Objective) == OBJECTIVES


def test_every_objective_has_a_mix_and_an_outcome() -> None:
    assert set(DEFAULT_MIXES) == set(Objective)
    assert set(OUTCOME_FOR) == set(Objective)


@pytest.mark.parametrize("objective", list(Objective))
def test_default_mix_is_valid(objective: Objective) -> None:
    shares = [s for _, s in DEFAULT_MIXES[objective].shares]
    assert all(s >= 0 for s in shares)
    assert abs(math.fsum(shares) - 1) <= SHARE_TOLERANCE
    assert [t for t, _ in DEFAULT_MIXES[objective].shares] == list(Tier)


def test_conversions_follow_the_70_20_10_rule() -> None:
    mix = DEFAULT_MIXES[Objective.CONVERSIONS]
    assert (mix.share(Tier.MICRO), mix.share(Tier.MID), mix.share(Tier.MEGA)) == (0.7, 0.2, 0.1)


@pytest.mark.parametrize("objective", [Objective.AWARENESS, Objective.LAUNCH, Objective.PR])
def test_visibility_goals_lean_mega_and_macro(objective: Objective) -> None:
    mix = DEFAULT_MIXES[objective]
    big = mix.share(Tier.MEGA) + mix.share(Tier.MACRO)
    assert big > 0.5
    assert mix.share(Tier.MEGA) == max(s for _, s in mix.shares)


@pytest.mark.parametrize(
    "objective", [Objective.COMMUNITY, Objective.NICHE_PRODUCT, Objective.TRUSTED_REVIEWS]
)
def test_trust_goals_lean_micro_and_nano(objective: Objective) -> None:
    mix = DEFAULT_MIXES[objective]
    assert mix.share(Tier.MICRO) + mix.share(Tier.NANO) > 0.5
    assert mix.share(Tier.MICRO) == max(s for _, s in mix.shares)
    assert mix.share(Tier.MEGA) == 0


@pytest.mark.parametrize(
    ("objective", "outcome"),
    [
        ("awareness", Outcome.ENGAGEMENTS),
        ("launch", Outcome.ENGAGEMENTS),
        ("pr", Outcome.ENGAGEMENTS),
        ("conversions", Outcome.CONVERSIONS),
        ("community", Outcome.CONVERSIONS),
        ("niche_product", Outcome.CONVERSIONS),
        ("trusted_reviews", Outcome.CONVERSIONS),
    ],
)
def test_outcome_mapping(objective: str, outcome: Outcome) -> None:
    assert OUTCOME_FOR[Objective(objective)] is outcome


def test_override_replaces_the_whole_mix_of_its_objective() -> None:
    mixes = apply_overrides({"conversions": {"micro": 0.8, "mid": 0.2}})
    assert mixes[Objective.CONVERSIONS].share(Tier.MEGA) == 0
    assert mixes[Objective.CONVERSIONS].share(Tier.MICRO) == 0.8
    assert mixes[Objective.AWARENESS] == DEFAULT_MIXES[Objective.AWARENESS]


def test_mix_for_uses_the_override_only_for_its_objective() -> None:
    overrides = {"pr": {"mega": 1.0}}
    assert mix_for("pr", overrides).share(Tier.MEGA) == 1.0
    assert mix_for("launch", overrides) == DEFAULT_MIXES[Objective.LAUNCH]
    assert mix_for(Objective.LAUNCH) == DEFAULT_MIXES[Objective.LAUNCH]


def test_shares_within_tolerance_are_accepted() -> None:
    mix = TierMix.of({"micro": 0.7, "mid": 0.2, "mega": 0.1 + 5e-7})
    assert mix.share(Tier.MEGA) == pytest.approx(0.1, abs=1e-6)


@pytest.mark.parametrize(
    ("overrides", "fields", "needle"),
    [
        ({"conversions": {"micro": 0.7, "mid": 0.2}}, ["mix.conversions"], "sum to 0.9"),
        (
            {"conversions": {"micro": 1.2, "mid": -0.2}},
            ["mix.conversions.micro", "mix.conversions.mid"],
            "[0, 1]",
        ),
        (
            {"conversions": {"micro": 0.9, "giga": 0.1}},
            ["mix.conversions.giga"],
            "unknown tier 'giga'",
        ),
        ({"sales": {"micro": 1.0}}, ["mix.sales"], "unknown objective 'sales'"),
        ({"awareness": {"micro": "half", "mega": 0.5}}, ["mix.awareness.micro"], "number"),
        ({"awareness": {"micro": True}}, ["mix.awareness.micro"], "number"),
        ({"awareness": {"micro": float("nan"), "mega": 1.0}}, ["mix.awareness.micro"], "[0, 1]"),
        ({"awareness": [0.5, 0.5]}, ["mix.awareness"], "object"),
        (
            {"pr": {"mega": 2.0}, "launch": {"nano": 0.5}},
            ["mix.pr.mega", "mix.launch"],
            "mix.launch",
        ),
    ],
)
def test_bad_override_names_the_field(
    overrides: dict[str, object], fields: list[str], needle: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        apply_overrides(overrides)  # type: ignore[arg-type]
    assert [e.field for e in info.value.errors] == fields
    assert needle in str(info.value)
    for name in fields:
        assert repr(name) in str(info.value)


def test_unknown_objective_is_a_field_error() -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_objective("sales")
    assert info.value.errors[0].field == "objective"


def test_mix_as_dict_lists_every_tier() -> None:
    assert DEFAULT_MIXES[Objective.CONVERSIONS].as_dict() == {
        "emerging": 0.0,
        "nano": 0.0,
        "micro": 0.7,
        "mid": 0.2,
        "macro": 0.0,
        "mega": 0.1,
    }
