"""The final ranking, vectorised: every candidate of a match scored in one numpy pass over
the catalog's columns (:mod:`matcher.catalog`), explained only for the results returned.

**Relevance first.** A candidate's *relevance* ``R`` is its retrieval evidence relative to
the best candidate's (1 for the best). Every other component ``c`` has a value ``v_c`` in
[0, 1] and a *strength* ``w_c`` in [0, 1] and multiplies the total by
``1 - w_c (1 - v_c)``::

    total = R ** 2  x  prod_c (1 - w_c (1 - v_c))

so a creator who fits the brief's niche less cannot overtake one who fits it well on
engagement, authenticity or cost (those factors stay within ~[0.5, 1], while relevance
squared falls quickly), whereas a stated wish (the audience's country, gender or age, the
tiers asked for, the budget) weighs as much as the recruiter's words say it does.

**Unknown is not good.** A component whose data is missing takes a value below what known
good data earns (a *prior*, e.g. 0.6 for an unknown audience, 0.35 for unknown engagement)
and is marked *uncertain*: the result says "audience unknown" and can never outrank a
creator whose known data fits, other things equal.

Strengths per objective (:data:`STRENGTHS`), priors and curves are documented in
``docs/matcher-scoring.md``; a request may override strengths (``weights``: 0 ignores a
component, 1 lets its value multiply the total; ``niche_fit`` scales the exponent of R).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from core.errors import InvalidInputError
from core.money import affordable_cap_usd, per_creator_budget_usd
from core.tiers import TIER_BENCHMARKS, Tier
from matcher.brief import Objective
from matcher.catalog import AGE_BAND_NAMES, TIER_ORDER, Columns

__all__ = [
    "COMPONENTS",
    "PRIORS",
    "RELEVANCE_EXPONENT",
    "RELEVANCE_SPAN",
    "STRENGTHS",
    "UNCERTAIN_SHARE",
    "Candidates",
    "Scored",
    "Wishes",
    "score_candidates",
    "strengths_for",
]

FloatArray = npt.NDArray[np.float64]
IdArray = npt.NDArray[np.int64]

COMPONENTS: tuple[str, ...] = (
    "niche_fit",
    "audience_fit",
    "engagement_quality",
    "authenticity",
    "cost_efficiency",
    "brand_safety",
    "conflicts",
    "tier_fit",
)
# The sub-factors behind two components: audience_fit is one factor per stated audience
# wish, cost_efficiency is value for money times fit to the per-creator budget.
AUDIENCE_PARTS: tuple[str, ...] = ("countries", "genders", "age", "platforms")

RELEVANCE_EXPONENT = 2.0
# Relevance band: candidates at least this relevant (relative to the best) count as fitting
# the niche alike, and the wishes and quality order them; below it relevance falls with its
# square, so weaker fits sink whatever else they offer. Ties keep the retrieval order.
RELEVANCE_BAND = 0.85
# Standard deviations of fused evidence below the best candidate at which relevance is 0.
RELEVANCE_SPAN = 5.0
# An audience wish judged without the audience's own data (a prior, or the creator's home
# country standing in for the audience's countries) weighs this share of its strength: the
# evidence is indirect, so it may order creators of comparable relevance but not sink a
# clearly more relevant creator whose audience nobody knows. Chosen on the YouTube training
# briefs (0.7 best of 1.0, 0.7, 0.5, 0.35, 0.2, 0); see docs/matcher-scoring.md.
UNCERTAIN_SHARE = 0.7

# How strongly each component moves the total, per objective (0 = not at all, 1 = its value
# multiplies the total). Audience wishes and the budget are what the recruiter stated, so
# they are strong whatever the objective; engagement and value for money matter more for
# performance objectives, tier fit for reach.
_BASE: dict[str, float] = {
    "audience_fit": 0.9,
    "engagement_quality": 0.3,
    "authenticity": 0.5,
    "cost_efficiency": 0.2,
    "brand_safety": 0.8,
    "conflicts": 0.7,
    "tier_fit": 0.9,
}
STRENGTHS: dict[Objective | None, dict[str, float]] = {
    None: {"niche_fit": 1.0, **_BASE},
    Objective.AWARENESS: {"niche_fit": 1.0, **_BASE, "engagement_quality": 0.2, "tier_fit": 0.9},
    Objective.LAUNCH: {"niche_fit": 1.0, **_BASE, "engagement_quality": 0.2, "tier_fit": 0.9},
    Objective.PR: {"niche_fit": 1.0, **_BASE, "engagement_quality": 0.2, "tier_fit": 0.9},
    Objective.CONSIDERATION: {
        "niche_fit": 1.0,
        **_BASE,
        "engagement_quality": 0.3,
        "cost_efficiency": 0.25,
        "tier_fit": 0.9,
    },
    Objective.CONVERSIONS: {
        "niche_fit": 1.0,
        **_BASE,
        "engagement_quality": 0.4,
        "cost_efficiency": 0.35,
        "tier_fit": 0.9,
    },
    Objective.COMMUNITY: {"niche_fit": 1.0, **_BASE, "engagement_quality": 0.45, "tier_fit": 0.9},
    Objective.NICHE_PRODUCT: {
        "niche_fit": 1.0,
        **_BASE,
        "engagement_quality": 0.35,
        "tier_fit": 0.9,
    },
    Objective.TRUSTED_REVIEWS: {
        "niche_fit": 1.0,
        **_BASE,
        "engagement_quality": 0.35,
        "authenticity": 0.65,
        "tier_fit": 0.9,
    },
}
# Strengths of the parts of audience_fit (scaled by audience_fit's strength) and of the
# wishes that are stated outright.
AUDIENCE_PART_STRENGTHS: dict[str, float] = {
    "countries": 1.0,
    "genders": 0.9,
    "age": 0.85,
    "platforms": 0.9,
}
# A creator whose content is about a topic the brief rules out keeps this share of its
# relevance.
AVOIDED_TOPIC_RELEVANCE = 0.5
EXPLICIT_TIER_STRENGTH = 0.95
# Brand safety nobody asked for (the default categories) weighs this share of its strength:
# a news channel mentions violence and a comedian swears; that must not outweigh fit.
DEFAULT_SAFETY_SHARE = 0.3
BUDGET_STRENGTH = 0.85
MIN_ENGAGEMENT_STRENGTH = 0.7

# Values of unknown data: below what known good data earns, so unknown never wins.
PRIORS: dict[str, float] = {
    "audience": 0.6,  # per audience wish, when the audience does not say
    "country_based_in": 0.85,  # audience unknown, creator based in a target country
    "country_based_elsewhere": 0.1,  # audience unknown, creator based elsewhere
    "engagement_quality": 0.35,
    "authenticity": 0.5,
    "cost_efficiency": 0.4,
    "brand_safety": 0.8,
    "tier_fit": 0.5,
    "budget": 0.5,
    "min_engagement": 0.5,
    "platform_elsewhere": 0.2,  # on a platform the brief did not name
}

# Tier preferences per objective (reach favours mega/macro; relationships nano/micro;
# conversions micro first, in the spirit of a 70/20/10 micro/mid/mega split).
# fmt: off
TIER_PREFERENCES: dict[Objective, dict[Tier, float]] = {
    Objective.AWARENESS: {
        Tier.MEGA: 1.0, Tier.MACRO: 1.0, Tier.MID: 0.85, Tier.MICRO: 0.3, Tier.NANO: 0.15,
        Tier.EMERGING: 0.05,
    },
    Objective.LAUNCH: {
        Tier.MEGA: 1.0, Tier.MACRO: 1.0, Tier.MID: 0.85, Tier.MICRO: 0.35, Tier.NANO: 0.15,
        Tier.EMERGING: 0.05,
    },
    Objective.PR: {
        Tier.MEGA: 1.0, Tier.MACRO: 1.0, Tier.MID: 0.8, Tier.MICRO: 0.3, Tier.NANO: 0.15,
        Tier.EMERGING: 0.05,
    },
    Objective.CONSIDERATION: {
        Tier.MID: 1.0, Tier.MICRO: 1.0, Tier.MACRO: 1.0, Tier.NANO: 0.35, Tier.MEGA: 0.5,
        Tier.EMERGING: 0.1,
    },
    Objective.CONVERSIONS: {
        Tier.MICRO: 1.0, Tier.MID: 0.85, Tier.NANO: 0.85, Tier.MACRO: 0.35, Tier.MEGA: 0.25,
        Tier.EMERGING: 0.3,
    },
    Objective.COMMUNITY: {
        Tier.NANO: 1.0, Tier.MICRO: 1.0, Tier.MID: 0.7, Tier.EMERGING: 0.6, Tier.MACRO: 0.3,
        Tier.MEGA: 0.15,
    },
    Objective.NICHE_PRODUCT: {
        Tier.NANO: 1.0, Tier.MICRO: 1.0, Tier.MID: 0.7, Tier.EMERGING: 0.6, Tier.MACRO: 0.3,
        Tier.MEGA: 0.15,
    },
    Objective.TRUSTED_REVIEWS: {
        Tier.NANO: 1.0, Tier.MICRO: 1.0, Tier.MID: 0.75, Tier.EMERGING: 0.6, Tier.MACRO: 0.3,
        Tier.MEGA: 0.2,
    },
}
# fmt: on
REACH_OBJECTIVES = frozenset({Objective.AWARENESS, Objective.LAUNCH, Objective.PR})

# Audience curves. A wish is met when at least half of the audience is inside it (for
# gender a clear majority, for age also when the wished bands hold the largest band): that
# earns 1. Below, the value falls to at most BELOW_WISH and then with the square of the
# share, so a creator who misses a stated wish falls behind those who meet it.
COUNTRY_FULL_SHARE = 0.5
GENDER_ZERO_SHARE, GENDER_FULL_SHARE = 0.2, 0.55
AGE_FULL_COVERAGE = 0.5
BELOW_WISH = 0.4

# Brand safety: each category with hits multiplies by 1 - min(0.7, 0.4 + 0.1 (hits - 1)).
_SAFETY_BASE, _SAFETY_EXTRA, _SAFETY_MAX = 0.4, 0.1, 0.7
_COLLABORATION_VALUE = 0.5

# Per-tier benchmarks as arrays indexed by tier code (TIER_ORDER).
_BENCH_COST = np.array(
    [sum(TIER_BENCHMARKS[t].cost_per_post_usd) / 2 for t in TIER_ORDER], dtype=np.float64
)
_BENCH_ENGAGEMENT = np.array(
    [sum(TIER_BENCHMARKS[t].engagement_rate) / 2 for t in TIER_ORDER], dtype=np.float64
)
_TYPICAL_FOLLOWERS = np.array(
    [500.0, math.sqrt(1e7), math.sqrt(1e9), math.sqrt(5e10), math.sqrt(5e11), 3e6],
    dtype=np.float64,
)


@dataclass(frozen=True)
class Candidates:
    """Retrieval's candidates for one brief, as arrays aligned by position: creator ids,
    the dense cosine and the BM25 score (NaN where that list did not return the creator),
    the fused score (higher is better) and the brief terms each matched."""

    ids: IdArray
    dense: FloatArray
    lexical: FloatArray
    fused: FloatArray
    matched_terms: Sequence[tuple[str, ...]] = ()

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass(frozen=True)
class Wishes:
    """What the scorer judges, from the brief, the stored campaign and the request.
    ``sources`` names where each wish came from ("brief", "campaign", "request")."""

    objective: Objective | None = None
    countries: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    age: tuple[tuple[str, float], ...] = ()
    tiers: tuple[Tier, ...] = ()
    budget_usd: float | None = None
    creators_wanted: int | None = None
    min_engagement: float | None = None
    competitors: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    excluded_topics: tuple[str, ...] = ()
    safety_categories: tuple[str, ...] = ()
    safety_all: tuple[str, ...] = ()
    # True when the brief or request named the categories; else they are the default set
    # (every category the brief does not itself mention), which weighs lightly.
    safety_explicit: bool = False
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def per_creator_usd(self) -> float | None:
        if self.budget_usd is None:
            return None
        return per_creator_budget_usd(self.budget_usd, self.creators_wanted)

    @property
    def cap_usd(self) -> float | None:
        return None if self.budget_usd is None else affordable_cap_usd(self.budget_usd)


@dataclass(frozen=True)
class Scored:
    """Every candidate's total, component values and factors (arrays aligned with the
    candidates), and ``order``: candidate positions best first."""

    candidates: Candidates
    positions: npt.NDArray[np.intp]
    total: FloatArray
    values: dict[str, FloatArray]
    factors: dict[str, FloatArray]
    uncertain: dict[str, npt.NDArray[np.bool_]]
    details: dict[str, Any]
    strengths: dict[str, float]
    order: npt.NDArray[np.intp]


def strengths_for(
    objective: Objective | None, overrides: Mapping[str, object] | None = None
) -> dict[str, float]:
    """The component strengths of ``objective`` with the request's overrides.

    Raises:
        InvalidInputError: an override for an unknown component, or not a number in [0, 1],
            naming the field ``weights.<name>``.
    """
    merged = dict(STRENGTHS[objective])
    for name, value in (overrides or {}).items():
        if name not in COMPONENTS:
            raise InvalidInputError.for_field(
                f"weights.{name}",
                f"unknown component {name!r}; use one of {list(COMPONENTS)}",
                value=value,
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InvalidInputError.for_field(
                f"weights.{name}", "weight must be a finite number", value=value
            )
        if not 0 <= value <= 1:
            raise InvalidInputError.for_field(
                f"weights.{name}", "weight must be between 0 and 1", value=value
            )
        merged[name] = float(value)
    return merged


def _factor(strength: float, value: FloatArray) -> FloatArray:
    return 1.0 - strength * (1.0 - value)


def relevance(candidates: Candidates) -> FloatArray:
    """Each candidate's retrieval evidence against the best candidate's: 1.0 for the best,
    falling linearly to 0 at :data:`RELEVANCE_SPAN` below it. The fused score is a z-score
    mix (:func:`matcher.retrieval.fuse_zscore`), so the span is in standard deviations of
    the candidate lists: a candidate far ahead of the crowd stays ahead, and a crowded niche
    keeps many candidates near the top instead of a steep fall by rank."""
    fused = candidates.fused.astype(np.float64)
    known = ~np.isnan(fused)
    if not known.any():
        return np.zeros_like(fused)
    best = float(fused[known].max())
    out: FloatArray = np.clip(
        1.0 - (best - np.where(known, fused, -np.inf)) / RELEVANCE_SPAN, 0.0, 1.0
    )
    return out


def score_candidates(
    columns: Columns,
    candidates: Candidates,
    wishes: Wishes,
    *,
    overrides: Mapping[str, object] | None = None,
    avoided: npt.NDArray[np.bool_] | None = None,
) -> Scored:
    """Score every candidate (all must be in ``columns``) and order them, best first; ties
    go to the lower creator id, so a ranking is reproducible. ``avoided`` marks candidates
    whose content is about a topic the brief rules out (their relevance counts half)."""
    strengths = strengths_for(wishes.objective, overrides)
    pos = columns.positions(candidates.ids)
    m = pos.shape[0]
    values: dict[str, FloatArray] = {}
    factors: dict[str, FloatArray] = {}
    uncertain: dict[str, npt.NDArray[np.bool_]] = {}
    details: dict[str, Any] = {}
    ones = np.ones(m, dtype=np.float64)
    no = np.zeros(m, dtype=bool)

    # niche fit: relevance, squared (the exponent scaled by the niche_fit strength)
    rel = relevance(candidates)
    if avoided is not None:
        rel = np.where(avoided, rel * AVOIDED_TOPIC_RELEVANCE, rel)
        details["avoided"] = avoided
    values["niche_fit"] = rel
    banded = np.minimum(1.0, rel / RELEVANCE_BAND)
    factors["niche_fit"] = banded ** (RELEVANCE_EXPONENT * strengths["niche_fit"])
    uncertain["niche_fit"] = no

    # audience fit: one factor per stated wish
    audience_factor = ones.copy()
    audience_value = np.full(m, np.nan)
    audience_uncertain = no.copy()
    parts: dict[str, FloatArray] = {}
    part_uncertain: dict[str, npt.NDArray[np.bool_]] = {}
    if wishes.countries:
        parts["countries"], part_uncertain["countries"], details["country"] = _countries(
            columns, pos, wishes.countries
        )
    if wishes.genders:
        parts["genders"], part_uncertain["genders"], details["gender"] = _genders(
            columns, pos, wishes.genders
        )
    if wishes.age:
        parts["age"], part_uncertain["age"], details["age"] = _ages(columns, pos, wishes.age)
    if wishes.platforms:
        codes = columns.platforms.lookup(wishes.platforms)
        on = np.isin(columns["platform"][pos], codes)
        parts["platforms"] = np.where(on, 1.0, PRIORS["platform_elsewhere"])
        part_uncertain["platforms"] = np.zeros(m, dtype=bool)
        details["platform_on"] = on
    for name, value in parts.items():
        strength = strengths["audience_fit"] * AUDIENCE_PART_STRENGTHS[name]
        # indirect evidence (no audience data) weighs less than the audience's own
        weighed = np.where(part_uncertain[name], strength * UNCERTAIN_SHARE, strength)
        audience_factor *= 1.0 - weighed * (1.0 - value)
        audience_uncertain |= part_uncertain[name]
    if parts:
        audience_value = np.prod(np.stack(list(parts.values())), axis=0)
    details["audience_parts"] = parts
    details["audience_parts_uncertain"] = part_uncertain
    values["audience_fit"] = audience_value
    factors["audience_fit"] = audience_factor
    uncertain["audience_fit"] = audience_uncertain

    # engagement quality against the tier+platform benchmark (precomputed per creator)
    engagement = columns["engagement_score"][pos].astype(np.float64)
    unknown = np.isnan(engagement)
    engagement = np.where(unknown, PRIORS["engagement_quality"], engagement)
    engagement_factor = _factor(strengths["engagement_quality"], engagement)
    if wishes.min_engagement is not None:
        rate = columns["engagement"][pos].astype(np.float64)
        meets = np.where(
            np.isnan(rate),
            PRIORS["min_engagement"],
            np.where(rate >= wishes.min_engagement, 1.0, 0.25),
        )
        engagement_factor = engagement_factor * _factor(MIN_ENGAGEMENT_STRENGTH, meets)
        engagement = np.minimum(engagement, meets)
        details["min_engagement"] = meets
    values["engagement_quality"] = engagement
    factors["engagement_quality"] = engagement_factor
    uncertain["engagement_quality"] = unknown

    # authenticity (the model's score; flagged creators score below 0.5)
    authentic = columns["authenticity"][pos].astype(np.float64)
    unknown = np.isnan(authentic)
    authentic = np.where(unknown, PRIORS["authenticity"], authentic)
    values["authenticity"] = authentic
    factors["authenticity"] = _factor(strengths["authenticity"], authentic)
    uncertain["authenticity"] = unknown

    # cost: value for money, and fit to what the campaign can pay one creator
    cost_value, cost_factor, cost_uncertain, details["cost"] = _cost(
        columns, pos, wishes, strengths["cost_efficiency"]
    )
    values["cost_efficiency"] = cost_value
    factors["cost_efficiency"] = cost_factor
    uncertain["cost_efficiency"] = cost_uncertain

    # brand safety: keyword hits in the categories that matter for this brief
    safety_value, safety_unknown = _safety(columns, pos, wishes)
    values["brand_safety"] = safety_value
    safety_strength = strengths["brand_safety"] * (
        1.0 if wishes.safety_explicit else DEFAULT_SAFETY_SHARE
    )
    factors["brand_safety"] = _factor(safety_strength, safety_value)
    uncertain["brand_safety"] = safety_unknown

    # conflicts: past collaborations with a competitor (recent competitor posts are a hard
    # filter of the match, before scoring)
    if wishes.competitors:
        conflict_value = _collaborations(columns, pos, wishes.competitors)
        values["conflicts"] = conflict_value
        factors["conflicts"] = _factor(strengths["conflicts"], conflict_value)
    else:
        values["conflicts"] = np.full(m, np.nan)
        factors["conflicts"] = ones.copy()
    uncertain["conflicts"] = no

    # tier fit: the tiers asked for, else the objective's preference
    tier_value, tier_unknown, tier_strength = _tiers(columns, pos, wishes, strengths)
    values["tier_fit"] = tier_value
    factors["tier_fit"] = (
        _factor(tier_strength, np.where(np.isnan(tier_value), 1.0, tier_value))
        if tier_strength > 0
        else ones.copy()
    )
    uncertain["tier_fit"] = tier_unknown

    total = np.prod(np.stack([factors[c] for c in COMPONENTS]), axis=0)
    # best total first; equal totals in the retrieval order, then by id
    order = np.lexsort((candidates.ids, -rel, -np.round(total, 12))).astype(np.intp)
    return Scored(
        candidates=candidates,
        positions=pos,
        total=total,
        values=values,
        factors=factors,
        uncertain=uncertain,
        details=details,
        strengths=strengths,
        order=order,
    )


def wish_fit(columns: Columns, wishes: Wishes) -> FloatArray:
    """How well every creator of the catalog meets the brief's stated wishes (audience,
    platforms, tiers), 1 when all are met, whatever its content: the pool retrieval also
    searches, so creators who fit the wishes are among the candidates even when the brief's
    niche is crowded with creators who do not."""
    n = columns.ids.shape[0]
    pos = np.arange(n, dtype=np.intp)
    fit = np.ones(n, dtype=np.float64)
    strengths = STRENGTHS[wishes.objective]
    if wishes.countries:
        fit *= _factor(
            AUDIENCE_PART_STRENGTHS["countries"], _countries(columns, pos, wishes.countries)[0]
        )
    if wishes.genders:
        fit *= _factor(
            AUDIENCE_PART_STRENGTHS["genders"], _genders(columns, pos, wishes.genders)[0]
        )
    if wishes.age:
        fit *= _factor(AUDIENCE_PART_STRENGTHS["age"], _ages(columns, pos, wishes.age)[0])
    if wishes.platforms:
        on = np.isin(columns["platform"], columns.platforms.lookup(wishes.platforms))
        fit *= np.where(on, 1.0, PRIORS["platform_elsewhere"])
    tier_value, _unknown, tier_strength = _tiers(columns, pos, wishes, strengths)
    if tier_strength > 0:
        fit *= _factor(tier_strength, np.where(np.isnan(tier_value), 1.0, tier_value))
    return fit


def _wish_curve(share: FloatArray, zero: float, full: float) -> FloatArray:
    """1 from ``full`` up; below it BELOW_WISH x the square of the way from ``zero``."""
    below = BELOW_WISH * np.clip((share - zero) / (full - zero), 0.0, 1.0) ** 2
    out: FloatArray = np.where(share >= full, 1.0, below)
    return out


def _countries(
    columns: Columns, pos: npt.NDArray[np.intp], wanted: Sequence[str]
) -> tuple[FloatArray, npt.NDArray[np.bool_], dict[str, Any]]:
    codes = np.array(columns.countries.lookup([c.upper() for c in wanted]), dtype=np.int16)
    in_target = np.isin(columns["country_codes"][pos], codes)
    share = (columns["country_shares"][pos] * in_target).sum(axis=1).astype(np.float64)
    known = columns["countries_known"][pos]
    based_in = np.isin(columns["country"][pos], codes)
    based_known = columns["country"][pos] > 0
    known_value = _wish_curve(share, 0.0, COUNTRY_FULL_SHARE)
    fallback = np.where(
        based_known,
        np.where(based_in, PRIORS["country_based_in"], PRIORS["country_based_elsewhere"]),
        PRIORS["audience"],
    )
    value = np.where(known, known_value, fallback)
    return value, ~known, {"share": share, "known": known, "based_in": based_in}


def _genders(
    columns: Columns, pos: npt.NDArray[np.intp], wanted: Sequence[str]
) -> tuple[FloatArray, npt.NDArray[np.bool_], dict[str, Any]]:
    rows = columns["gender"][pos].astype(np.float64)
    known = ~np.isnan(rows).any(axis=1)
    share = np.zeros(pos.shape[0], dtype=np.float64)
    for name in wanted:
        if name == "female":
            share += np.nan_to_num(rows[:, 0])
        elif name == "male":
            share += np.nan_to_num(rows[:, 1])
        else:  # other genders: what female and male leave
            share += np.nan_to_num(1.0 - rows[:, 0] - rows[:, 1])
    known_value = _wish_curve(share, GENDER_ZERO_SHARE, GENDER_FULL_SHARE)
    value = np.where(known, known_value, PRIORS["audience"])
    return value, ~known, {"share": share, "known": known}


def _ages(
    columns: Columns, pos: npt.NDArray[np.intp], wanted: Sequence[tuple[str, float]]
) -> tuple[FloatArray, npt.NDArray[np.bool_], dict[str, Any]]:
    weights = np.zeros(len(AGE_BAND_NAMES), dtype=np.float64)
    for band, weight in wanted:
        if band in AGE_BAND_NAMES:
            weights[AGE_BAND_NAMES.index(band)] = max(0.0, min(1.0, weight))
    rows = columns["age"][pos].astype(np.float64)
    known = ~np.isnan(rows).any(axis=1)
    coverage = np.nan_to_num(rows) @ weights
    # The wish is met when the target bands hold the audience's largest band (or enough).
    top_band_in = weights[np.nan_to_num(rows, nan=-1.0).argmax(axis=1)] > 0
    known_value = np.where(top_band_in, 1.0, _wish_curve(coverage, 0.0, AGE_FULL_COVERAGE))
    value = np.where(known, known_value, PRIORS["audience"])
    return value, ~known, {"coverage": coverage, "known": known, "top_band_in": top_band_in}


def _cost(
    columns: Columns, pos: npt.NDArray[np.intp], wishes: Wishes, strength: float
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], dict[str, Any]]:
    m = pos.shape[0]
    tier = columns["tier"][pos].astype(np.int64)
    tier_known = tier >= 0
    safe_tier = np.where(tier_known, tier, 0)
    cost = columns["cost"][pos].astype(np.float64)
    estimated = columns["cost_estimated"][pos] | np.isnan(cost)
    # no own rates: the tier's benchmark midpoint, flagged as an estimate
    cost = np.where(np.isnan(cost) & tier_known, _BENCH_COST[safe_tier], cost)
    cost_known = ~np.isnan(cost)
    followers = columns["followers"][pos].astype(np.float64)
    followers = np.where(followers > 0, followers, np.nan)
    bench_cost = _BENCH_COST[safe_tier]
    typical = _TYPICAL_FOLLOWERS[safe_tier]
    with np.errstate(divide="ignore", invalid="ignore"):
        if wishes.objective in REACH_OBJECTIVES:
            unit = cost / followers * 1000
            bench_unit = bench_cost / typical * 1000
        else:
            engagements = columns["engagements_per_post"][pos].astype(np.float64)
            unit = cost / engagements
            bench_unit = bench_cost / (_BENCH_ENGAGEMENT[safe_tier] * typical)
        ratio = bench_unit / unit
        efficiency = np.clip(0.5 + 0.25 * np.log2(ratio), 0.0, 1.0)
    efficiency = np.where(cost <= 0, 1.0, efficiency)
    eff_unknown = np.isnan(efficiency) | ~tier_known | estimated
    efficiency = np.where(np.isnan(efficiency) | ~tier_known, PRIORS["cost_efficiency"], efficiency)
    efficiency = np.where(
        estimated & ~np.isnan(efficiency), np.minimum(efficiency, 0.5), efficiency
    )
    factor = _factor(strength, efficiency)
    value = efficiency.copy()
    budget_fit = np.full(m, np.nan)
    per_creator = wishes.per_creator_usd
    if per_creator is not None and per_creator > 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            budget_fit = np.where(
                cost_known, np.minimum(1.0, (per_creator / np.maximum(cost, 1e-9)) ** 2), np.nan
            )
        budget_fit = np.where(np.isnan(budget_fit), PRIORS["budget"], budget_fit)
        factor = factor * _factor(BUDGET_STRENGTH, budget_fit)
        value = np.minimum(value, budget_fit)
    return (
        value,
        factor,
        eff_unknown | ~cost_known,
        {
            "cost_usd": cost,
            "estimated": estimated,
            "efficiency": efficiency,
            "budget_fit": budget_fit,
            "per_creator_usd": per_creator,
        },
    )


def _safety(
    columns: Columns, pos: npt.NDArray[np.intp], wishes: Wishes
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    m = pos.shape[0]
    hits = columns["safety"][pos].astype(np.float64)
    known = columns["safety_known"][pos]
    value = np.ones(m, dtype=np.float64)
    for category in wishes.safety_categories:
        if category not in wishes.safety_all:
            continue
        j = wishes.safety_all.index(category)
        if j >= hits.shape[1]:
            continue
        h = hits[:, j]
        penalty = np.where(
            h > 0, np.minimum(_SAFETY_MAX, _SAFETY_BASE + _SAFETY_EXTRA * (h - 1)), 0
        )
        value *= 1.0 - penalty
    value = np.where(known, value, PRIORS["brand_safety"])
    return value, ~known


def _collaborations(
    columns: Columns, pos: npt.NDArray[np.intp], competitors: Sequence[str]
) -> FloatArray:
    from matcher.scoring import brand_needle

    codes = [c for c in columns.brands.lookup(brand_needle(b) for b in competitors) if c > 0]
    m = pos.shape[0]
    if not codes:
        return np.ones(m, dtype=np.float64)
    worked = np.asarray(columns["brands"][pos][:, codes].sum(axis=1)).ravel() > 0
    return np.where(worked, _COLLABORATION_VALUE, 1.0)


def _tiers(
    columns: Columns, pos: npt.NDArray[np.intp], wishes: Wishes, strengths: Mapping[str, float]
) -> tuple[FloatArray, npt.NDArray[np.bool_], float]:
    tier = columns["tier"][pos].astype(np.int64)
    unknown = tier < 0
    safe = np.where(unknown, 0, tier)
    if wishes.tiers:
        wanted = np.array([TIER_ORDER.index(t) for t in wishes.tiers], dtype=np.int64)
        distance = np.abs(safe[:, None] - wanted[None, :]).min(axis=1)
        known_value = np.select([distance == 0, distance == 1], [1.0, 0.2], 0.05)
        strength = (
            EXPLICIT_TIER_STRENGTH
            * strengths["tier_fit"]
            / max(STRENGTHS[wishes.objective]["tier_fit"], 1e-9)
        )
        strength = min(1.0, strength)
    elif wishes.objective is not None:
        prefs = TIER_PREFERENCES[wishes.objective]
        table = np.array([prefs[t] for t in TIER_ORDER], dtype=np.float64)
        known_value = table[safe]
        strength = strengths["tier_fit"]
    else:
        return np.full(tier.shape[0], np.nan), np.zeros(tier.shape[0], dtype=bool), 0.0
    value = np.where(unknown, PRIORS["tier_fit"], known_value)
    return value, unknown, strength
