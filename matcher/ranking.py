"""The full ranker, pure: fused candidates in, scored and explained hits out.

:func:`rank_candidates` is what the match service runs after retrieval, and what the quality
evaluation (``eval/``) runs on real YouTube channels, so the two measure the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.tiers import Tier, tier_for_followers
from matcher.authenticity import AuthenticityScore
from matcher.brief import Brief
from matcher.cache import LRUCache
from matcher.fusion import FusedHit
from matcher.scoring import (
    ComponentScore,
    Explanation,
    audience_fit,
    authenticity,
    brand_safety,
    combine,
    conflicts,
    cost_efficiency,
    engagement_quality,
    niche_fit,
    safety_categories_for,
    tier_fit,
    weights_for,
)

__all__ = ["ComponentCache", "MatchHit", "rank_candidates", "score_creator"]

# (creator id, component name, parameter) -> the component; see score_creator.
ComponentCache = LRUCache[tuple[int, str, object], ComponentScore]


@dataclass(frozen=True)
class MatchHit:
    """One ranked creator: its record, tier, final score, components and explanation."""

    creator: dict[str, Any]
    tier: Tier | None
    score: float
    components: tuple[ComponentScore, ...]
    explanation: Explanation
    retrieval: FusedHit | None = None

    def top_reasons(self, n: int = 3) -> list[str]:
        """The first reason of each of the ``n`` components that added most to the score:
        the one-line "why" of a result, an outreach e-mail or a shortlist."""
        by_name = {c.name: c for c in self.components}
        strongest = sorted(self.explanation.contributions, key=lambda c: -c.contribution)[:n]
        return [by_name[c.name].reasons[0] for c in strongest if by_name[c.name].reasons]


def _matched_categories(brief: Brief, categories: Sequence[str]) -> tuple[str, ...]:
    text = brief.text.lower()
    return tuple(c for c in categories if c and c.lower() in text)


@dataclass(frozen=True)
class _QueryContext:
    """What every candidate of one brief shares."""

    lexical_max: float | None
    safety_categories: tuple[str, ...]
    now: datetime


def score_creator(
    brief: Brief,
    record: Mapping[str, Any],
    hit: FusedHit,
    *,
    authenticity_score: AuthenticityScore | None,
    context: _QueryContext,
    cache: ComponentCache | None = None,
) -> tuple[ComponentScore, ...]:
    """Every score component of one candidate, each with its reasons.

    ``cache`` keeps the components that depend on the creator and not on the brief's text
    (engagement; cost and tier fit per objective; brand safety per category set), keyed by
    creator id: whoever owns it must drop entries when a creator changes.
    """
    objective = brief.objective
    safety = brief.brand_safety or context.safety_categories

    def cached(name: str, param: object, compute: Callable[[], ComponentScore]) -> ComponentScore:
        if cache is None:
            return compute()
        key = (int(record["id"]), name, param)
        found = cache.get(key)
        return found if found is not None else cache.put(key, compute())

    # The lexical search ran over the same candidates: a creator it did not return shares
    # no word with the brief, which is evidence (0), not missing data.
    lexical = hit.lexical_score if context.lexical_max is None else hit.lexical_score or 0.0
    return (
        niche_fit(
            hit.dense_score,
            lexical,
            hit.matched_terms,
            matched_categories=_matched_categories(brief, record.get("categories") or ()),
            lexical_max=context.lexical_max,
        ),
        audience_fit(brief.target, record.get("audience")),
        cached("engagement_quality", None, lambda: engagement_quality(record)),
        authenticity(authenticity_score),
        cached("cost_efficiency", objective, lambda: cost_efficiency(record, objective)),
        cached("brand_safety", safety, lambda: brand_safety(record, safety)),
        conflicts(record, brief.competitor_brands, context.now),
        cached(
            "tier_fit",
            objective,
            lambda: tier_fit(tier_for_followers(record.get("followers")), objective),
        ),
    )


def rank_candidates(
    brief: Brief,
    fused: Sequence[FusedHit],
    records: Mapping[int, Mapping[str, Any]],
    *,
    authenticity_scores: Mapping[int, AuthenticityScore] | None = None,
    weights: Mapping[str, float] | None = None,
    now: datetime | None = None,
    component_cache: ComponentCache | None = None,
) -> list[MatchHit]:
    """Score the fused candidates (``records`` by creator id) and sort them, best first.

    Candidates without a record (deleted since retrieval) are skipped. Ties are broken by
    creator id so a ranking is reproducible.
    """
    base_weights = weights_for(brief.objective)
    scores = authenticity_scores or {}
    best_lexical = max((h.lexical_score or 0.0 for h in fused), default=0.0)
    context = _QueryContext(
        lexical_max=best_lexical if best_lexical > 0 else None,
        safety_categories=safety_categories_for(brief.text),
        now=now or datetime.now(UTC),
    )
    hits: list[MatchHit] = []
    for hit in fused:
        record = records.get(hit.creator_id)
        if record is None:
            continue
        components = score_creator(
            brief,
            record,
            hit,
            authenticity_score=scores.get(hit.creator_id),
            context=context,
            cache=component_cache,
        )
        score, explanation = combine(components, base_weights, weights)
        hits.append(
            MatchHit(
                creator=dict(record),
                tier=tier_for_followers(record.get("followers")),
                score=round(score or 0.0, 4),
                components=components,
                explanation=explanation,
                retrieval=hit,
            )
        )
    hits.sort(key=lambda h: (-h.score, h.retrieval.creator_id if h.retrieval else 0))
    return hits
