from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from matcher.brief import parse_brief
from matcher.fusion import FusedHit
from matcher.ranking import rank_candidates
from matcher.scorer import RELEVANCE_SPAN
from matcher.scoring import BRAND_SAFETY_KEYWORDS, safety_categories_for

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def record(i: int, text: str) -> dict[str, Any]:
    return {
        "id": i,
        "platform": "youtube",
        "handle": f"c{i}",
        "bio": text,
        "recent_posts": [{"text": text}],
    }


def test_a_brief_is_not_penalised_for_what_it_asks_for() -> None:
    assert "politics" not in safety_categories_for("a news and politics podcast about the election")
    assert "politics" in safety_categories_for("vegan skincare launch")
    assert set(safety_categories_for("vegan skincare launch")) == set(BRAND_SAFETY_KEYWORDS)


def test_politics_creators_rank_by_fit_for_a_politics_brief() -> None:
    brief = parse_brief("political commentary and election news channel")
    records = {
        1: record(1, "election night coverage and political debate"),
        2: record(2, "cooking pasta at home"),
    }
    fused = [
        FusedHit(1, 0.03, 1, 0.55, 1, 9.0, ("election",)),
        FusedHit(2, 0.01, 2, 0.20, None, None),
    ]
    hits = rank_candidates(brief, fused, records, now=NOW)
    assert [h.creator["id"] for h in hits] == [1, 2]
    safety = next(c for c in hits[0].components if c.name == "brand_safety")
    assert safety.score in (None, 1.0)


def test_relevance_is_relative_to_the_best_candidate() -> None:
    brief = parse_brief("budget travel vlogs in japan")
    records = {i: record(i, "travel") for i in (1, 2, 3)}
    span = RELEVANCE_SPAN
    fused = [  # fused z-scores: the best, one third of the span below, two thirds below
        FusedHit(1, 2.0, 1, 0.40, 1, 30.0),
        FusedHit(2, 2.0 - span / 3, 2, 0.40, 2, 15.0),
        FusedHit(3, 2.0 - 2 * span / 3, 3, 0.40, None, None),
    ]
    hits = {h.creator["id"]: h for h in rank_candidates(brief, fused, records, now=NOW)}
    niche = {i: next(c for c in h.components if c.name == "niche_fit") for i, h in hits.items()}
    assert niche[1].score == 1.0
    assert niche[2].score == pytest.approx(2 / 3)
    assert niche[3].score == pytest.approx(1 / 3)
    assert niche[1].details["lexical"] == 30.0 and niche[3].details["lexical"] is None
    # relevance squared: a creator half as relevant keeps a quarter of the score
    assert hits[1].score > hits[2].score > hits[3].score


def test_a_clean_safety_check_is_no_top_reason_but_a_hit_is_a_flag() -> None:
    brief = parse_brief("home cooking recipes")
    records = {
        1: record(1, "weeknight pasta recipes and home cooking"),
        2: record(2, "home cooking recipes with wine pairings, casino night snacks"),
    }
    fused = [FusedHit(1, 1.0, 1, 0.5, 1, 9.0), FusedHit(2, 1.0, 2, 0.5, 2, 9.0)]
    hits = {h.creator["id"]: h for h in rank_candidates(brief, fused, records, now=NOW)}
    for hit in hits.values():
        assert not any("keywords in the bio" in r for r in hit.top_reasons(5))
    assert any(f.startswith("brand safety:") for f in hits[2].flags)
