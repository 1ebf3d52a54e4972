"""From scored candidates to explained hits, and the whole ranker for a set of records.

The match service scores candidates with :func:`matcher.scorer.score_candidates` on its
catalog's columns and explains only the results it returns (:func:`explain`).
:func:`rank_candidates` does both for records given directly (the quality evaluation on real
YouTube channels, tests), through the same code, so the two measure the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from core.money import to_usd
from core.tiers import Tier, tier_for_followers
from matcher.authenticity import AuthenticityScore
from matcher.brief import Brief
from matcher.catalog import TIER_ORDER, Catalog, CatalogRow, Columns, audience_row
from matcher.features import creator_features, format_pct
from matcher.fusion import FusedHit
from matcher.scorer import (
    COMPONENTS,
    TIER_PREFERENCES,
    Candidates,
    Scored,
    Wishes,
    score_candidates,
)
from matcher.scoring import (
    SAFETY_CATEGORY_ORDER,
    ComponentScore,
    Contribution,
    Explanation,
    brand_needle,
    brand_safety,
    conflicts,
    cost_efficiency,
    engagement_quality,
    safety_categories_for,
    safety_hit_counts,
)

__all__ = [
    "MatchHit",
    "candidates_from_fused",
    "catalog_row",
    "explain",
    "rank_candidates",
    "ranked_ids",
    "result_fields",
    "wishes_for",
]

_CHECKS = frozenset({"brand_safety", "conflicts"})
_GENDER_WORDS = {"female": "women", "male": "men", "other": "other genders"}


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
        """The one-line "why" of a result: how it fits the brief first, then the reasons of
        the components that fit best (known data only, strongest first; the brand-safety
        and competitor checks only as flags)."""
        by_name = {c.name: c for c in self.components}
        known = [
            c
            for c in self.explanation.contributions
            if c.name != "niche_fit"
            and c.name not in self.explanation.unknown
            # A clean brand-safety or conflict check is no reason to pick a creator; a hit
            # shows as a flag.
            and c.name not in _CHECKS
        ]
        ranked = sorted(known, key=lambda c: -(c.score * c.weight))
        names = ["niche_fit", *(c.name for c in ranked)]
        out = [by_name[n].reasons[0] for n in names if n in by_name and by_name[n].reasons]
        return out[:n]

    @property
    def flags(self) -> tuple[str, ...]:
        """What a recruiter must know: uncertain data, over-budget costs, red flags."""
        return tuple(self.explanation.flags)


def result_fields(rank: int, hit: MatchHit) -> dict[str, Any]:
    """A ranked hit as the API (``MatchResultRead``) and ``creatormatch match --json`` show it:
    JSON types only, component scores and weights rounded to 4 places, and the flags a
    recruiter must see (the explanation's, a conflict with a competitor, a virtual
    influencer)."""
    weights = {c.name: c.weight for c in hit.explanation.contributions}
    flags = list(hit.flags)
    conflicts = next((c for c in hit.components if c.name == "conflicts"), None)
    if conflicts is not None and conflicts.score is not None and conflicts.score < 1:
        flags.append("conflicts: " + "; ".join(conflicts.reasons))
    if hit.creator.get("is_virtual"):
        flags.append("virtual influencer")
    return {
        "rank": rank,
        "creator_id": hit.creator["id"],
        "platform": hit.creator["platform"],
        "handle": hit.creator["handle"],
        "display_name": hit.creator.get("display_name"),
        "tier": hit.tier.value if hit.tier is not None else None,
        "followers": hit.creator.get("followers"),
        "country": hit.creator.get("country"),
        "score": float(hit.score),
        "components": {
            c.name: {
                "score": None if c.score is None else round(float(c.score), 4),
                "weight": round(float(weights.get(c.name, 0.0)), 4),
                "reasons": list(c.reasons),
            }
            for c in hit.components
        },
        "reasons": hit.top_reasons(3),
        "flags": flags,
    }


# --------------------------------------------------------------------- building columns


def _engagements_per_post(record: Mapping[str, Any]) -> float | None:
    f = creator_features(record)
    if f.avg_likes is not None or f.avg_comments is not None:
        total = (f.avg_likes or 0.0) + (f.avg_comments or 0.0)
        return total if total > 0 else None
    if f.engagement_rate is not None and f.followers:
        return f.engagement_rate * f.followers
    return None


def catalog_row(record: Mapping[str, Any], authenticity: AuthenticityScore | None) -> CatalogRow:
    """Every filter and scoring input of one creator record (see :mod:`matcher.catalog`)."""
    f = creator_features(record)
    cost = cost_efficiency(record, None).details
    own_rates = str(cost.get("cost_source", "")).startswith("rates")
    age, gender, countries = audience_row(record.get("audience"))
    mentioned = record.get("brands_mentioned")
    brands = (
        tuple(n for n in (brand_needle(b) for b in mentioned if isinstance(b, str)) if n)
        if isinstance(mentioned, list)
        else ()
    )
    engagement = engagement_quality(record).score
    return CatalogRow(
        id=int(record["id"]),
        platform=str(record.get("platform") or ""),
        followers=record.get("followers"),
        country=record.get("country"),
        language=record.get("language"),
        engagement_rate=f.engagement_rate,
        cost_per_post_usd=float(cost["cost_per_post_usd"]) if own_rates else None,
        cost_estimated=False,
        engagement_score=engagement,
        engagements_per_post=_engagements_per_post(record),
        age=age,
        gender=gender,
        countries=countries,
        safety_hits=safety_hit_counts(record),
        brands=brands,
        authenticity=None if authenticity is None else authenticity.score,
        flagged=bool(authenticity is not None and authenticity.flagged),
    )


def wishes_for(brief: Brief, *, sources: Mapping[str, str] | None = None) -> Wishes:
    """What the scorer judges for ``brief``: its target audience, tiers, budget (in USD at
    the fixed rates), objective, competitors and brand-safety categories."""
    budget_usd = None
    if brief.budget is not None:
        budget_usd = to_usd(brief.budget, brief.currency)
    safety = brief.brand_safety or safety_categories_for(brief.text)
    tiers = tuple(Tier(t) for t in brief.tiers)
    return Wishes(
        objective=brief.objective,
        countries=tuple(c.upper() for c in brief.target.countries),
        genders=tuple(brief.target.genders),
        age=tuple(brief.target.age),
        tiers=tiers,
        budget_usd=budget_usd,
        creators_wanted=brief.creators_wanted,
        min_engagement=brief.min_engagement,
        competitors=tuple(brief.competitor_brands),
        platforms=tuple(brief.platforms),
        excluded_topics=tuple(brief.excluded_topics),
        safety_categories=tuple(safety),
        safety_all=SAFETY_CATEGORY_ORDER,
        safety_explicit=bool(brief.brand_safety),
        sources=dict(sources or {}),
    )


def candidates_from_fused(fused: Sequence[FusedHit]) -> Candidates:
    """Fused hits as the scorer's arrays."""
    nan = float("nan")
    return Candidates(
        ids=np.fromiter((h.creator_id for h in fused), dtype=np.int64, count=len(fused)),
        dense=np.fromiter(
            (nan if h.dense_score is None else h.dense_score for h in fused),
            dtype=np.float64,
            count=len(fused),
        ),
        lexical=np.fromiter(
            (nan if h.lexical_score is None else h.lexical_score for h in fused),
            dtype=np.float64,
            count=len(fused),
        ),
        fused=np.fromiter((h.score for h in fused), dtype=np.float64, count=len(fused)),
        matched_terms=tuple(h.matched_terms for h in fused),
    )


# --------------------------------------------------------------------------- explaining


def _money(amount: float) -> str:
    return f"${amount:,.0f}" if amount >= 10 else f"${amount:,.2f}"


def _from(wishes: Wishes, wish: str) -> str:
    source = wishes.sources.get(wish)
    return f" (from the {source})" if source and source != "brief" else ""


def _age_label(age: Sequence[tuple[str, float]]) -> str:
    bands = [band for band, weight in age if weight > 0]
    return " or ".join(bands) if bands else "the target age"


def _niche(scored: Scored, j: int) -> ComponentScore:
    cand = scored.candidates
    rel = float(scored.values["niche_fit"][j])
    dense = float(cand.dense[j])
    terms = cand.matched_terms[j] if j < len(cand.matched_terms) else ()
    level = "fits the brief" if rel >= 0.75 else "partly fits" if rel >= 0.45 else "weak fit to"
    parts = []
    if not np.isnan(dense):
        parts.append(f"content similarity {dense:.2f}")
    if terms:
        parts.append("mentions " + ", ".join(list(dict.fromkeys(terms))[:6]))
    detail = f" ({'; '.join(parts)})" if parts else ""
    noun = "" if level != "weak fit to" else " the brief"
    reasons = [f"{level}{noun}: relevance {rel:.2f} of the best match{detail}"]
    avoided = scored.details.get("avoided")
    if avoided is not None and avoided[j]:
        reasons.append("posts about a topic the brief rules out (relevance halved)")
    if isinstance(terms, tuple) and not terms and not np.isnan(float(cand.lexical[j])):
        reasons.append("no brief keywords in the creator's content")
    return ComponentScore(
        "niche_fit",
        rel,
        tuple(reasons),
        {
            "relevance": rel,
            "semantic": None if np.isnan(dense) else dense,
            "lexical": None if np.isnan(float(cand.lexical[j])) else float(cand.lexical[j]),
            "matched_terms": list(terms),
        },
    )


def _audience(
    scored: Scored, j: int, wishes: Wishes, record: Mapping[str, Any]
) -> tuple[ComponentScore, list[str]]:
    d = scored.details
    parts = d.get("audience_parts", {})
    if not parts:
        return ComponentScore("audience_fit", None, ("the brief names no target audience",)), []
    reasons: list[str] = []
    flags: list[str] = []
    unknown_parts: list[str] = []
    if "countries" in parts:
        info = d["country"]
        wanted = ", ".join(wishes.countries)
        where = _from(wishes, "countries")
        if info["known"][j]:
            reasons.append(
                f"{format_pct(float(info['share'][j]))} of the audience in {wanted}{where}"
            )
        else:
            unknown_parts.append("countries")
            home = record.get("country")
            if info["based_in"][j]:
                reasons.append(f"based in {home}; audience countries unknown{where}")
            elif home:
                reasons.append(
                    f"based in {home}, outside {wanted}; audience countries unknown{where}"
                )
            else:
                reasons.append(f"audience countries and home country unknown{where}")
    if "genders" in parts:
        info = d["gender"]
        words = " and ".join(_GENDER_WORDS.get(g, g) for g in wishes.genders)
        if info["known"][j]:
            reasons.append(
                f"{format_pct(float(info['share'][j]))} {words}{_from(wishes, 'genders')}"
            )
        else:
            unknown_parts.append("gender")
            reasons.append(f"gender split unknown{_from(wishes, 'genders')}")
    if "age" in parts:
        info = d["age"]
        label = _age_label(wishes.age)
        if info["known"][j]:
            reasons.append(
                f"{format_pct(float(info['coverage'][j]))} aged {label}{_from(wishes, 'age')}"
            )
        else:
            unknown_parts.append("age")
            reasons.append(f"age split unknown{_from(wishes, 'age')}")
    if "platforms" in parts:
        asked = " or ".join(wishes.platforms)
        platform = record.get("platform")
        if d["platform_on"][j]:
            reasons.append(f"on {platform}, as asked{_from(wishes, 'platforms')}")
        else:
            reasons.append(f"on {platform}; the brief asks for {asked}{_from(wishes, 'platforms')}")
    if unknown_parts:
        flags.append(
            "audience unknown"
            if len(unknown_parts) == len(parts)
            else f"audience {', '.join(unknown_parts)} unknown"
        )
    value = float(scored.values["audience_fit"][j])
    return (
        ComponentScore(
            "audience_fit",
            value,
            tuple(reasons),
            {
                "parts": {k: float(v[j]) for k, v in parts.items()},
                "uncertain": unknown_parts,
            },
        ),
        flags,
    )


def _engagement(
    scored: Scored, j: int, record: Mapping[str, Any], wishes: Wishes
) -> ComponentScore:
    value = float(scored.values["engagement_quality"][j])
    if scored.uncertain["engagement_quality"][j]:
        reasons = ["engagement unknown (scored below a typical creator)"]
    else:
        reasons = list(engagement_quality(record).reasons)
    if wishes.min_engagement is not None and "min_engagement" in scored.details:
        meets = float(scored.details["min_engagement"][j])
        asked = format_pct(wishes.min_engagement)
        if meets >= 1:
            reasons.append(f"at least the {asked} engagement asked for")
        elif meets < PRIOR_UNKNOWN:
            reasons.append(f"below the {asked} engagement asked for")
    return ComponentScore("engagement_quality", value, tuple(reasons))


PRIOR_UNKNOWN = 0.5


def _authenticity(scored: Scored, j: int, result: AuthenticityScore | None) -> ComponentScore:
    value = float(scored.values["authenticity"][j])
    if scored.uncertain["authenticity"][j] or result is None:
        return ComponentScore(
            "authenticity", value, ("authenticity not assessed (too little data)",)
        )
    reasons = result.reasons or ("followers and engagement look consistent",)
    return ComponentScore("authenticity", value, tuple(reasons), {"flagged": result.flagged})


def _cost(
    scored: Scored, j: int, record: Mapping[str, Any], wishes: Wishes
) -> tuple[ComponentScore, list[str]]:
    info = scored.details["cost"]
    value = float(scored.values["cost_efficiency"][j])
    cost = float(info["cost_usd"][j])
    flags: list[str] = []
    reasons: list[str] = []
    tier = tier_for_followers(record.get("followers"))
    if np.isnan(cost):
        reasons.append("cost unknown (no rates, no follower count)")
        flags.append("cost unknown")
    elif info["estimated"][j]:
        reasons.append(
            f"no rates; about {_money(cost)} a post, estimated from the"
            f" {tier.value if tier else 'tier'} benchmark"
        )
        flags.append("rates unknown: cost estimated")
    else:
        detail = cost_efficiency(record, wishes.objective)
        reasons.extend(detail.reasons[:2])
    per_creator = info["per_creator_usd"]
    if per_creator is not None and not np.isnan(cost):
        where = _from(wishes, "budget")
        if cost <= per_creator:
            reasons.insert(
                0, f"{_money(cost)} a post, within the {_money(per_creator)} per creator{where}"
            )
        else:
            reasons.insert(
                0, f"{_money(cost)} a post, over the {_money(per_creator)} per creator{where}"
            )
            flags.append("over the per-creator budget")
    return ComponentScore(
        "cost_efficiency", value, tuple(reasons), {"cost_per_post_usd": cost}
    ), flags


def _tier(scored: Scored, j: int, record: Mapping[str, Any], wishes: Wishes) -> ComponentScore:
    value = float(scored.values["tier_fit"][j])
    tier = tier_for_followers(record.get("followers"))
    if np.isnan(value):
        return ComponentScore("tier_fit", None, ("no tier wish or objective",))
    if tier is None:
        return ComponentScore("tier_fit", value, ("follower count unknown: tier unknown",))
    if wishes.tiers:
        asked = "/".join(t.value for t in wishes.tiers)
        where = _from(wishes, "tiers")
        if tier in wishes.tiers:
            return ComponentScore("tier_fit", value, (f"{tier.value}, as asked{where}",))
        return ComponentScore(
            "tier_fit", value, (f"{tier.value}; the brief asks for {asked}{where}",)
        )
    assert wishes.objective is not None
    prefs = TIER_PREFERENCES[wishes.objective]
    best = "/".join(t.value for t, s in prefs.items() if s == 1.0)
    verdict = "fits" if value >= 0.9 else "suits" if value >= 0.6 else "is a weak fit for"
    article = "an" if wishes.objective.value[0] in "aeiou" else "a"
    return ComponentScore(
        "tier_fit",
        value,
        (f"{tier.value} {verdict} {article} {wishes.objective.value} campaign (best: {best})",),
    )


def explain(
    columns: Columns,
    scored: Scored,
    j: int,
    record: Mapping[str, Any],
    wishes: Wishes,
    *,
    authenticity: AuthenticityScore | None = None,
    now: datetime | None = None,
    retrieval: FusedHit | None = None,
) -> MatchHit:
    """The hit of candidate position ``j``: its components with reasons and flags."""
    flags: list[str] = []
    audience, audience_flags = _audience(scored, j, wishes, record)
    flags.extend(audience_flags)
    cost, cost_flags = _cost(scored, j, record, wishes)
    flags.extend(cost_flags)
    if scored.uncertain["engagement_quality"][j]:
        flags.append("engagement unknown")
    authentic = _authenticity(scored, j, authenticity)
    if authenticity is not None and authenticity.flagged:
        flags.append(
            "authenticity: " + (authenticity.reasons[0] if authenticity.reasons else "flagged")
        )
    safety_categories = list(wishes.safety_categories)
    safety = brand_safety(record, safety_categories) if safety_categories else None
    safety_component = ComponentScore(
        "brand_safety",
        float(scored.values["brand_safety"][j]),
        safety.reasons if safety is not None else ("no brand safety categories requested",),
    )
    if safety is not None and safety.details.get("matches"):
        flags.append("brand safety: " + ", ".join(safety.details["matches"]))
    if wishes.competitors:
        conflict = conflicts(record, wishes.competitors, now or datetime.now(UTC))
        conflict_component = ComponentScore(
            "conflicts", float(scored.values["conflicts"][j]), conflict.reasons, conflict.details
        )
    else:
        conflict_component = ComponentScore("conflicts", None, ("no competitor brands given",))
    components = (
        _niche(scored, j),
        audience,
        _engagement(scored, j, record, wishes),
        authentic,
        cost,
        safety_component,
        conflict_component,
        _tier(scored, j, record, wishes),
    )
    contributions = tuple(
        Contribution(
            name,
            float(scored.values[name][j]),
            float(scored.strengths[name]),
            float(scored.factors[name][j]),
        )
        for name in COMPONENTS
        if not np.isnan(scored.values[name][j])
    )
    unknown = tuple(
        name for name in COMPONENTS if np.isnan(scored.values[name][j]) or scored.uncertain[name][j]
    )
    total = float(scored.total[j])
    explanation = Explanation(
        score=total,
        contributions=contributions,
        unknown=unknown,
        reasons=tuple(r for c in components for r in c.reasons),
        weights=dict(scored.strengths),
        flags=tuple(dict.fromkeys(flags)),
    )
    tier_code = int(columns["tier"][scored.positions[j]])
    return MatchHit(
        creator=dict(record),
        tier=TIER_ORDER[tier_code] if tier_code >= 0 else None,
        score=round(total, 4),
        components=components,
        explanation=explanation,
        retrieval=retrieval,
    )


def ranked_ids(
    brief: Brief,
    fused: Sequence[FusedHit],
    records: Mapping[int, Mapping[str, Any]],
    *,
    authenticity_scores: Mapping[int, AuthenticityScore] | None = None,
    weights: Mapping[str, float] | None = None,
) -> list[int]:
    """The creator ids of :func:`rank_candidates`, best first, without explaining any (what
    an evaluation over thousands of results needs)."""
    scores = authenticity_scores or {}
    kept = [h for h in fused if h.creator_id in records]
    if not kept:
        return []
    catalog = Catalog(
        [catalog_row(records[h.creator_id], scores.get(h.creator_id)) for h in kept],
        safety_categories=len(SAFETY_CATEGORY_ORDER),
    )
    scored = score_candidates(
        catalog.snapshot(), candidates_from_fused(kept), wishes_for(brief), overrides=weights
    )
    return [kept[int(j)].creator_id for j in scored.order]


def rank_candidates(
    brief: Brief,
    fused: Sequence[FusedHit],
    records: Mapping[int, Mapping[str, Any]],
    *,
    authenticity_scores: Mapping[int, AuthenticityScore] | None = None,
    weights: Mapping[str, float] | None = None,
    now: datetime | None = None,
    limit: int | None = None,
) -> list[MatchHit]:
    """Score the fused candidates (``records`` by creator id) and sort them, best first,
    through the same scorer as the match service. Candidates without a record are
    skipped; ``limit`` explains only the first results."""
    scores = authenticity_scores or {}
    kept = [h for h in fused if h.creator_id in records]
    if not kept:
        return []
    catalog = Catalog(
        [catalog_row(records[h.creator_id], scores.get(h.creator_id)) for h in kept],
        safety_categories=len(SAFETY_CATEGORY_ORDER),
    )
    columns = catalog.snapshot()
    wishes = wishes_for(brief)
    scored = score_candidates(columns, candidates_from_fused(kept), wishes, overrides=weights)
    order = scored.order if limit is None else scored.order[:limit]
    return [
        explain(
            columns,
            scored,
            int(j),
            records[kept[int(j)].creator_id],
            wishes,
            authenticity=scores.get(kept[int(j)].creator_id),
            now=now,
            retrieval=kept[int(j)],
        )
        for j in order
    ]
