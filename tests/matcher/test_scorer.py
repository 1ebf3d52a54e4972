"""The vectorised scorer: relevance first, stated wishes strong, unknown data never better
than known good data, every candidate scored in one pass."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from core.errors import InvalidInputError
from matcher.brief import Objective, parse_brief
from matcher.catalog import Catalog
from matcher.ranking import catalog_row, wishes_for
from matcher.scorer import RELEVANCE_SPAN, Candidates, Wishes, score_candidates, strengths_for
from matcher.scoring import SAFETY_CATEGORY_ORDER
from tests.factories import creator_record

BRIEF = "eco-friendly running shoes for women 25-34 in the US, awareness, $15k"


def known_ideal(cid: int) -> dict[str, Any]:
    return {
        **creator_record(handle=f"ideal{cid}", country="US", followers=250_000),
        "id": cid,
        "rates": {"currency": "USD", "post": 2_000},
        "engagement_rate": 0.04,
        "avg_likes": 9_500,
        "avg_comments": 400,
        "audience": {
            "age": {"18-24": 0.2, "25-34": 0.55, "35-44": 0.15, "45-54": 0.07, "55+": 0.03},
            "gender": {"female": 0.8, "male": 0.2},
            "countries": {"US": 0.8, "CA": 0.1},
        },
    }


def unknown(cid: int, **overrides: Any) -> dict[str, Any]:
    record = {
        **creator_record(handle=f"unknown{cid}"),
        "id": cid,
        "followers": None,
        "avg_likes": None,
        "avg_comments": None,
        "engagement_rate": None,
        "rates": None,
        "audience": None,
        "country": None,
    }
    record.update(overrides)
    return record


def score(records: list[dict[str, Any]], relevances: list[float], wishes: Wishes, **kw: Any) -> Any:
    """Score ``records`` whose relevance (to the best candidate, which has 1.0) is given:
    the fused evidence that gives it, RELEVANCE_SPAN standard deviations spanning 1 to 0."""
    assert max(relevances) == 1.0
    fused = [1.0 - (1.0 - r) * RELEVANCE_SPAN for r in relevances]
    catalog = Catalog(
        [catalog_row(r, None) for r in records], safety_categories=len(SAFETY_CATEGORY_ORDER)
    )
    columns = catalog.snapshot()
    n = len(records)
    candidates = Candidates(
        ids=np.array([r["id"] for r in records], dtype=np.int64),
        dense=np.full(n, 0.5),
        lexical=np.full(n, np.nan),
        fused=np.array(fused, dtype=np.float64),
    )
    return score_candidates(columns, candidates, wishes, **kw)


def ranking(scored: Any) -> list[int]:
    return [int(scored.candidates.ids[j]) for j in scored.order]


def test_a_known_ideal_creator_outranks_equally_relevant_unknowns() -> None:
    wishes = wishes_for(parse_brief(BRIEF))
    records = [unknown(i) for i in range(1, 8)] + [known_ideal(99)]
    scored = score(records, [1.0] * 8, wishes)
    assert ranking(scored)[0] == 99


def test_unknown_data_never_beats_known_good_data_component_by_component() -> None:
    wishes = wishes_for(parse_brief(BRIEF))
    scored = score([known_ideal(1), unknown(2)], [1.0, 1.0], wishes)
    for name in ("audience_fit", "engagement_quality", "cost_efficiency", "tier_fit"):
        known_factor, unknown_factor = scored.factors[name]
        assert known_factor > unknown_factor, name
        assert scored.uncertain[name].tolist() == [False, True], name


def test_relevance_outweighs_quality() -> None:
    """A creator who fits the niche less cannot overtake on engagement, authenticity or
    cost; among creators who fit it alike, quality orders them."""
    wishes = Wishes(objective=Objective.CONVERSIONS)
    fine = known_ideal(1)
    weak = {**known_ideal(2), "engagement_rate": 0.001, "avg_likes": 20, "avg_comments": 1}
    weak["rates"] = {"currency": "USD", "post": 90_000}
    scored = score([fine, weak], [0.35, 1.0], wishes)
    # the relevant one wins although its engagement and cost are poor
    assert ranking(scored) == [2, 1]
    assert scored.values["niche_fit"].tolist() == [0.35, 1.0]
    # comparable relevance: quality decides
    assert ranking(score([fine, weak], [0.9, 1.0], wishes)) == [1, 2]


def test_a_missed_audience_wish_costs_more_than_a_small_relevance_gap() -> None:
    wishes = wishes_for(parse_brief("running creators with a US audience, awareness"))
    abroad = {**known_ideal(1), "audience": {"countries": {"IE": 0.8, "US": 0.1}}, "country": "IE"}
    home = known_ideal(2)
    scored = score([abroad, home], [1.0, 0.85], wishes)
    assert ranking(scored) == [2, 1]


def test_the_creators_country_stands_in_for_an_unknown_audience() -> None:
    wishes = Wishes(countries=("US",))
    scored = score(
        [unknown(1, country="US"), unknown(2, country="IE"), unknown(3)], [1.0, 1.0, 1.0], wishes
    )
    assert ranking(scored) == [1, 3, 2]
    assert scored.uncertain["audience_fit"].all()


def test_a_stand_in_for_an_unknown_audience_does_not_sink_a_clearly_more_relevant_creator() -> None:
    """The creator's home country only stands in for an audience nobody knows: it orders
    creators of comparable relevance, but a creator twice as relevant whose audience is
    unknown stays above a less relevant one who merely lives in the wished country."""
    wishes = Wishes(countries=("US",))
    abroad, home = unknown(1, country="CA"), unknown(2, country="US")
    assert ranking(score([abroad, home], [1.0, 0.5], wishes)) == [1, 2]
    # comparable relevance: the home country decides
    assert ranking(score([abroad, home], [1.0, 0.9], wishes)) == [2, 1]


def test_known_audience_data_against_the_wish_weighs_fully() -> None:
    """Only indirect evidence is shrunk: a creator whose known audience is elsewhere still
    falls below a clearly less relevant creator whose known audience fits."""
    wishes = Wishes(countries=("US",))
    abroad = {**known_ideal(1), "audience": {"countries": {"CA": 0.9, "US": 0.1}}, "country": "CA"}
    scored = score([abroad, known_ideal(2)], [1.0, 0.5], wishes)
    assert ranking(scored) == [2, 1]
    assert scored.uncertain["audience_fit"].tolist() == [False, False]


def test_an_age_wish_orders_known_fit_then_unknown_then_known_miss() -> None:
    """Among creators of comparable relevance, a known audience in the wished ages comes
    first, an unknown one next (even a little more relevant), one known to be younger last."""
    wishes = Wishes(age=(("25-34", 1.0),))
    younger = {
        **known_ideal(1),
        "audience": {"age": {"13-17": 0.5, "18-24": 0.4, "25-34": 0.1}},
    }
    unknown_ages = {**known_ideal(3), "audience": {"countries": {"US": 0.8}}}
    scored = score([younger, known_ideal(2), unknown_ages], [1.0, 0.9, 1.0], wishes)
    assert ranking(scored) == [2, 3, 1]
    assert scored.uncertain["audience_fit"].tolist() == [False, False, True]


def test_cost_is_judged_against_the_per_creator_budget() -> None:
    wishes = wishes_for(parse_brief("running shoes, awareness, $15k"))
    cheap = {**known_ideal(1), "rates": {"currency": "USD", "post": 3_000}}
    dear = {**known_ideal(2), "rates": {"currency": "USD", "post": 14_000}}
    scored = score([cheap, dear], [1.0, 1.0], wishes)
    cost = dict(zip(ranking(scored), scored.values["cost_efficiency"][scored.order], strict=True))
    assert cost[1] > cost[2]
    assert scored.details["cost"]["per_creator_usd"] == 7_500
    assert scored.values["cost_efficiency"][1] < 0.3  # twice the per-creator budget


@pytest.mark.parametrize(
    ("objective", "best"),
    [(Objective.AWARENESS, "mega"), (Objective.CONVERSIONS, "micro")],
)
def test_the_objective_prefers_its_tiers(objective: Objective, best: str) -> None:
    sizes = {"micro": 40_000, "mega": 3_000_000}
    records = [
        {**known_ideal(i), "followers": sizes[tier], "rates": None}
        for i, tier in enumerate(("micro", "mega"), start=1)
    ]
    scored = score(records, [1.0, 1.0], Wishes(objective=objective))
    winner = ranking(scored)[0]
    assert {1: "micro", 2: "mega"}[winner] == best


def test_tiers_asked_for_outweigh_the_objective() -> None:
    records = [
        {**known_ideal(1), "followers": 40_000},
        {**known_ideal(2), "followers": 3_000_000},
    ]
    wishes = Wishes(objective=Objective.AWARENESS, tiers=(parse_tier("micro"),))
    assert ranking(score(records, [1.0, 1.0], wishes)) == [1, 2]


def parse_tier(name: str) -> Any:
    from core.tiers import Tier

    return Tier(name)


def test_weights_set_strengths_between_zero_and_one() -> None:
    assert strengths_for(None, {"tier_fit": 0})["tier_fit"] == 0
    with pytest.raises(InvalidInputError) as exc:
        strengths_for(None, {"tier_fit": 1.5})
    assert exc.value.errors[0].field == "weights.tier_fit"
    with pytest.raises(InvalidInputError, match="unknown component"):
        strengths_for(None, {"followers": 0.3})


def test_scores_are_one_pass_and_reproducible_on_ties() -> None:
    records = [unknown(i) for i in (5, 3, 9, 1)]
    scored = score(records, [1.0, 1.0, 1.0, 1.0], Wishes())
    assert ranking(scored) == [1, 3, 5, 9]
    assert scored.total.shape == (4,)
