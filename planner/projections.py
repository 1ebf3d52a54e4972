"""What one creator is expected to cost and deliver, and the totals of a set of creators.

Every figure is a :class:`Range` (low, expected, high). Each input comes from the creator's
own data (:attr:`Source.OBSERVED`), a fitted :class:`OutcomeModel` (:attr:`Source.MODEL`) or
the tier benchmarks of :data:`core.tiers.TIER_BENCHMARKS` (:attr:`Source.BENCHMARKS`), and a
:class:`Projection` says which. The formulas are in ``docs/planner.md``:

- cost: the creator's rate, else the tier's cost-per-post range (expected = midpoint);
- reach: the follower count (potential reach; impressions are usually a fraction of it);
- engagements = followers x engagement rate (the creator's, else the tier range times the
  platform modifier, expected = midpoint);
- conversions = engagements x the tier's conversion rate (micro 2.4%, mega 1.1%);
- cost per engagement / acquisition: expected = expected cost / expected count, low = low
  cost / high count, high = high cost / low count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from core.errors import InvalidInputError
from core.platforms import PLATFORM_ENGAGEMENT_MODIFIERS
from core.tiers import TIER_BENCHMARKS, Tier, tier_for_followers

__all__ = [
    "PLATFORM_ENGAGEMENT_MODIFIERS",
    "Candidate",
    "CandidateId",
    "ModelEstimate",
    "OutcomeModel",
    "Projection",
    "Range",
    "Source",
    "Totals",
    "benchmark_cost",
    "benchmark_engagement_rate",
    "project",
    "ratio_range",
    "totals",
]

CandidateId = int | str


# Absolute slack when checking low <= expected <= high: sums of floats may reorder by an ulp.
_ORDER_SLACK = 1e-9


class Source(StrEnum):
    """Where a figure comes from."""

    OBSERVED = "observed"
    MODEL = "model"
    BENCHMARKS = "benchmarks"


@dataclass(frozen=True)
class Range:
    """A low, expected and high estimate of one quantity; ``low <= expected <= high``."""

    low: float
    expected: float
    high: float

    def __post_init__(self) -> None:
        values = (self.low, self.expected, self.high)
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f"a range must be finite, got {values}")
        slack = _ORDER_SLACK * max(1.0, abs(self.high))
        if not (self.low <= self.expected + slack and self.expected <= self.high + slack):
            raise ValueError(f"a range needs low <= expected <= high, got {values}")

    @classmethod
    def point(cls, value: float) -> Range:
        """A range with no spread."""
        return cls(value, value, value)

    @classmethod
    def zero(cls) -> Range:
        return cls(0.0, 0.0, 0.0)

    def __add__(self, other: Range) -> Range:
        return Range(self.low + other.low, self.expected + other.expected, self.high + other.high)

    def scaled(self, factor: float) -> Range:
        """Every bound times a non-negative ``factor``."""
        if factor < 0:
            raise ValueError(f"factor must be >= 0, got {factor}")
        return Range(self.low * factor, self.expected * factor, self.high * factor)

    def as_dict(self) -> dict[str, float]:
        return {"low": self.low, "expected": self.expected, "high": self.high}


def ratio_range(numerator: Range, denominator: Range) -> Range | None:
    """``numerator / denominator`` from the consistent extremes; None if it can be undefined.

    expected = expected / expected; low = low / high; high = high / low. None when the
    denominator's low bound is 0 (the worst case has nothing to divide by).
    """
    if denominator.low <= 0:
        return None
    return Range(
        numerator.low / denominator.high,
        numerator.expected / denominator.expected,
        numerator.high / denominator.low,
    )


@dataclass(frozen=True)
class Candidate:
    """A creator the planner may choose, as the matcher hands it over.

    ``engagement_rate`` is a fraction (0.035 for 3.5%); ``rate`` is the cost of one post in
    the plan's currency, None when unknown; ``tier`` defaults to the tier of ``followers``;
    ``audience`` is the creator record's audience object (``countries`` and ``interests``
    are used for overlap); ``reasons`` are the matcher's.
    """

    id: CandidateId
    handle: str
    platform: str
    followers: int
    engagement_rate: float | None = None
    rate: float | None = None
    match_score: float | None = None
    tier: Tier | None = None
    display_name: str | None = None
    audience: Mapping[str, Any] | None = field(default=None, hash=False, compare=False)
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = f"candidates.{self.id}"
        if isinstance(self.followers, bool) or not isinstance(self.followers, int):
            raise InvalidInputError.for_field(
                f"{where}.followers", "must be an integer", value=self.followers
            )
        if self.followers < 0:
            raise InvalidInputError.for_field(
                f"{where}.followers", "must be >= 0", value=self.followers
            )
        if self.engagement_rate is not None and not (
            math.isfinite(self.engagement_rate) and 0 <= self.engagement_rate <= 1
        ):
            raise InvalidInputError.for_field(
                f"{where}.engagement_rate",
                "must be a fraction in [0, 1] (0.035 for 3.5%)",
                value=self.engagement_rate,
            )
        if self.rate is not None and not (math.isfinite(self.rate) and self.rate >= 0):
            raise InvalidInputError.for_field(f"{where}.rate", "must be >= 0", value=self.rate)
        if self.match_score is not None and not (
            math.isfinite(self.match_score) and 0 <= self.match_score <= 1
        ):
            raise InvalidInputError.for_field(
                f"{where}.match_score", "must be in [0, 1]", value=self.match_score
            )

    @property
    def effective_tier(self) -> Tier:
        """``tier`` when given, else the tier of the follower count."""
        if self.tier is not None:
            return self.tier
        tier = tier_for_followers(self.followers)
        assert tier is not None  # followers is a non-negative int, checked in __post_init__
        return tier

    @property
    def label(self) -> str:
        """``@handle`` (``handle`` as given when it already starts with ``@``)."""
        return self.handle if self.handle.startswith("@") else f"@{self.handle}"


@dataclass(frozen=True)
class ModelEstimate:
    """What a fitted model predicts for one candidate; None fields fall back to benchmarks."""

    engagement_rate: Range | None = None
    conversion_rate: float | None = None


class OutcomeModel(Protocol):
    """A fitted estimator of engagement and conversion (see ``docs/planner.md``)."""

    @property
    def name(self) -> str: ...

    def predict(self, candidate: Candidate) -> ModelEstimate | None: ...


def benchmark_engagement_rate(tier: Tier, platform: str) -> Range:
    """The tier's engagement range times the platform modifier; expected = the midpoint."""
    low, high = TIER_BENCHMARKS[tier].engagement_rate
    modifier = PLATFORM_ENGAGEMENT_MODIFIERS.get(platform.casefold(), 1.0)
    low, high = min(1.0, low * modifier), min(1.0, high * modifier)
    return Range(low, (low + high) / 2, high)


def benchmark_cost(tier: Tier, *, fx: float = 1.0) -> Range:
    """The tier's cost per post (USD) times ``fx`` (plan currency per USD); expected = midpoint."""
    low, high = TIER_BENCHMARKS[tier].cost_per_post_usd
    return Range(low * fx, (low + high) / 2 * fx, high * fx)


@dataclass(frozen=True)
class Projection:
    """The expected cost and outcome of one post by one creator."""

    candidate_id: CandidateId
    tier: Tier
    platform: str
    cost: Range
    reach: Range
    engagement_rate: Range
    engagements: Range
    conversion_rate: float
    conversions: Range
    cost_per_engagement: Range | None
    cost_per_acquisition: Range | None
    cost_source: Source
    engagement_source: Source
    conversion_source: Source

    @property
    def source(self) -> Source:
        """``benchmarks`` if any input is a benchmark, else ``model`` if any is modelled."""
        sources = {self.cost_source, self.engagement_source, self.conversion_source}
        for s in (Source.BENCHMARKS, Source.MODEL):
            if s in sources:
                return s
        return Source.OBSERVED


def project(
    candidate: Candidate, *, model: OutcomeModel | None = None, fx: float = 1.0
) -> Projection:
    """The :class:`Projection` of one post by ``candidate``.

    Args:
        model: a fitted estimator consulted for what the candidate's own data lacks.
        fx: units of the plan currency per US dollar, applied to benchmark costs only
            (the candidate's ``rate`` is already in the plan currency).
    """
    if not (math.isfinite(fx) and fx > 0):
        raise InvalidInputError.for_field("fx", "must be > 0", value=fx)
    tier = candidate.effective_tier
    estimate = model.predict(candidate) if model is not None else None

    if candidate.rate is not None:
        cost, cost_source = Range.point(float(candidate.rate)), Source.OBSERVED
    else:
        cost, cost_source = benchmark_cost(tier, fx=fx), Source.BENCHMARKS

    if candidate.engagement_rate is not None:
        rate, engagement_source = Range.point(candidate.engagement_rate), Source.OBSERVED
    elif estimate is not None and estimate.engagement_rate is not None:
        rate, engagement_source = estimate.engagement_rate, Source.MODEL
    else:
        rate = benchmark_engagement_rate(tier, candidate.platform)
        engagement_source = Source.BENCHMARKS

    if estimate is not None and estimate.conversion_rate is not None:
        conversion_rate, conversion_source = estimate.conversion_rate, Source.MODEL
    else:
        conversion_rate = TIER_BENCHMARKS[tier].conversion_rate
        conversion_source = Source.BENCHMARKS

    followers = float(candidate.followers)
    engagements = rate.scaled(followers)
    conversions = engagements.scaled(conversion_rate)
    return Projection(
        candidate_id=candidate.id,
        tier=tier,
        platform=candidate.platform,
        cost=cost,
        reach=Range.point(followers),
        engagement_rate=rate,
        engagements=engagements,
        conversion_rate=conversion_rate,
        conversions=conversions,
        cost_per_engagement=ratio_range(cost, engagements),
        cost_per_acquisition=ratio_range(cost, conversions),
        cost_source=cost_source,
        engagement_source=engagement_source,
        conversion_source=conversion_source,
    )


@dataclass(frozen=True)
class Totals:
    """The sums over a set of projections and the ratios of those sums.

    ``reach`` adds follower counts, so it ignores audience overlap: an upper bound.
    ``roi`` is (conversions x value per conversion - cost) / cost, present only when a value
    per conversion is known.
    """

    count: int
    cost: Range
    reach: Range
    engagements: Range
    conversions: Range
    cost_per_engagement: Range | None
    cost_per_acquisition: Range | None
    roi: Range | None = None


def totals(
    projections: Iterable[Projection], *, value_per_conversion: float | None = None
) -> Totals:
    """Sum the ranges of ``projections``; ratios come from the sums (see :func:`ratio_range`).

    The low and high ratios pair the extremes consistently: every creator at its best case
    (lowest cost, most engagements) gives the low cost per engagement, every creator at its
    worst case the high one.
    """
    items = list(projections)
    cost = sum((p.cost for p in items), Range.zero())
    reach = sum((p.reach for p in items), Range.zero())
    engagements = sum((p.engagements for p in items), Range.zero())
    conversions = sum((p.conversions for p in items), Range.zero())
    roi = None
    if value_per_conversion is not None:
        if not (math.isfinite(value_per_conversion) and value_per_conversion >= 0):
            raise InvalidInputError.for_field(
                "value_per_conversion", "must be >= 0", value=value_per_conversion
            )
        revenue = conversions.scaled(value_per_conversion)
        if cost.low > 0:
            roi = Range(
                (revenue.low - cost.high) / cost.high,
                (revenue.expected - cost.expected) / cost.expected,
                (revenue.high - cost.low) / cost.low,
            )
    return Totals(
        count=len(items),
        cost=cost,
        reach=reach,
        engagements=engagements,
        conversions=conversions,
        cost_per_engagement=ratio_range(cost, engagements),
        cost_per_acquisition=ratio_range(cost, conversions),
        roi=roi,
    )
