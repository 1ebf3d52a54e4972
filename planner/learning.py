"""Learn an organisation's engagement and conversion rates from the outcomes of its programs.

:func:`fit_outcome_model` (or :class:`OutcomeLearner`) takes :class:`Observation` rows, one
per delivered post, and fits two estimators:

- :class:`EngagementRateModel`: a ridge regression of the log engagement rate, written as an
  offset from the benchmark (``log(observed) - log(benchmark midpoint x platform modifier)``)
  on one-hot platform and tier, log followers, and the creator's stated rate relative to the
  benchmark. The penalty shrinks every learned effect towards 0, i.e. towards the
  benchmarks, which is what small data needs.
- :class:`ConversionRateModel`: the tier's conversion rate times a multiplier learned per
  tier, shrunk towards the organisation-wide multiplier, which is shrunk towards 1.

Each is compared with the benchmark predictor on the same K folds (a creator's posts stay in
one fold, so every error is measured on creators the model has not seen). A target uses the
model only when its cross-validated error is lower than the benchmark's, by more than one
standard error of the difference by default (``margin``; 0 = strictly lower). The returned
:class:`LearnedOutcomeModel` implements :class:`~planner.projections.OutcomeModel` and
answers None for a target that kept the benchmarks. The rules are in ``docs/planner.md``
("Learning from outcomes").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from core.errors import InvalidInputError
from core.tiers import TIER_BENCHMARKS, Tier, tier_for_followers
from planner.projections import (
    PLATFORM_ENGAGEMENT_MODIFIERS,
    Candidate,
    CandidateId,
    ModelEstimate,
    Range,
    benchmark_engagement_rate,
)

__all__ = [
    "CONVERSION_METRIC",
    "ENGAGEMENT_METRIC",
    "MIN_ENGAGEMENT_RATE",
    "Comparison",
    "ConversionRateModel",
    "EngagementRateModel",
    "LearnedOutcomeModel",
    "LearningResult",
    "Observation",
    "OutcomeLearner",
    "fit_outcome_model",
]

ENGAGEMENT_METRIC = "mean absolute error of the natural log of the engagement rate"
CONVERSION_METRIC = "mean squared error of the conversion rate (conversions per engagement)"

# A post with no engagement at all has a log rate of -inf; it counts as this rate (0.01%).
MIN_ENGAGEMENT_RATE = 1e-4

_FloatArray = npt.NDArray[np.float64]
# Platforms outside the modifier table share one category (and the modifier 1.0).
_OTHER_PLATFORM = "other"
_PLATFORMS = (*sorted(PLATFORM_ENGAGEMENT_MODIFIERS), _OTHER_PLATFORM)
_TIERS = tuple(t.value for t in Tier)
_DEFAULT_ALPHAS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)


@dataclass(frozen=True)
class Observation:
    """One delivered post and what it achieved.

    The candidate features are ``followers``, ``tier`` (default: the tier of ``followers``),
    ``platform`` and ``engagement_rate``, the creator's stated rate (a fraction, None when
    unknown), exactly as on a :class:`~planner.projections.Candidate`. The outcomes are
    ``observed_engagement_rate`` (the post's engagements / followers; may exceed 1 for a
    post that travels beyond the audience) and ``observed_conversion_rate`` (attributed
    conversions per engagement, None when not tracked). ``creator_id`` keeps a creator's
    posts in one cross-validation fold; None makes the post its own group.
    """

    followers: int
    platform: str
    observed_engagement_rate: float
    tier: Tier | None = None
    engagement_rate: float | None = None
    observed_conversion_rate: float | None = None
    creator_id: CandidateId | None = None

    def __post_init__(self) -> None:
        if isinstance(self.followers, bool) or not isinstance(self.followers, int):
            raise InvalidInputError.for_field(
                "followers", "must be an integer", value=self.followers
            )
        if self.followers <= 0:
            raise InvalidInputError.for_field("followers", "must be > 0", value=self.followers)
        if not (
            math.isfinite(self.observed_engagement_rate) and self.observed_engagement_rate >= 0
        ):
            raise InvalidInputError.for_field(
                "observed_engagement_rate", "must be >= 0", value=self.observed_engagement_rate
            )
        if self.engagement_rate is not None and not (
            math.isfinite(self.engagement_rate) and 0 <= self.engagement_rate <= 1
        ):
            raise InvalidInputError.for_field(
                "engagement_rate", "must be a fraction in [0, 1]", value=self.engagement_rate
            )
        rate = self.observed_conversion_rate
        if rate is not None and not (math.isfinite(rate) and rate >= 0):
            raise InvalidInputError.for_field(
                "observed_conversion_rate", "must be >= 0", value=rate
            )

    @property
    def effective_tier(self) -> Tier:
        """``tier`` when given, else the tier of the follower count."""
        if self.tier is not None:
            return self.tier
        tier = tier_for_followers(self.followers)
        assert tier is not None  # followers is a positive int, checked in __post_init__
        return tier


# What the estimators read from a candidate or an observation.
_Subject = Candidate | Observation


def _benchmark_midpoint(subject: _Subject) -> float:
    return benchmark_engagement_rate(subject.effective_tier, subject.platform).expected


def _feature_rows(subjects: Sequence[_Subject]) -> npt.NDArray[Any]:
    """Columns: platform, tier, log10 followers, log(stated / benchmark) or 0, unknown flag."""
    rows = np.empty((len(subjects), 5), dtype=object)
    for i, s in enumerate(subjects):
        platform = s.platform.casefold()
        stated = s.engagement_rate
        benchmark = _benchmark_midpoint(s)
        rows[i] = (
            platform if platform in PLATFORM_ENGAGEMENT_MODIFIERS else _OTHER_PLATFORM,
            s.effective_tier.value,
            math.log10(max(s.followers, 1)),
            math.log(max(stated, MIN_ENGAGEMENT_RATE) / benchmark) if stated is not None else 0.0,
            0.0 if stated is not None else 1.0,
        )
    return rows


def _log_benchmarks(subjects: Sequence[_Subject]) -> _FloatArray:
    return np.log(np.array([_benchmark_midpoint(s) for s in subjects], dtype=np.float64))


def _log_observed(observations: Sequence[Observation]) -> _FloatArray:
    rates = [max(o.observed_engagement_rate, MIN_ENGAGEMENT_RATE) for o in observations]
    return np.log(np.array(rates, dtype=np.float64))


class EngagementRateModel:
    """Ridge regression of the log engagement rate around the benchmark.

    The target is ``log(observed rate) - log(benchmark midpoint x platform modifier)``, so
    a model that learns nothing predicts the benchmark; the penalty (chosen among ``alphas``
    by efficient leave-one-out CV on the training rows) shrinks towards it.

    Attributes (after :meth:`fit`): ``pipeline_`` (the fitted scikit-learn Pipeline),
    ``n_observations_``.
    """

    def __init__(self, *, alphas: Sequence[float] = _DEFAULT_ALPHAS) -> None:
        self.alphas = alphas

    def fit(self, observations: Sequence[Observation]) -> EngagementRateModel:
        """Fit on ``observations`` (at least two); returns self."""
        if len(observations) < 2:
            raise InvalidInputError.for_field("observations", "need at least 2 to fit")
        features = ColumnTransformer(
            [
                (
                    "categories",
                    OneHotEncoder(categories=[list(_PLATFORMS), list(_TIERS)]),
                    [0, 1],
                ),
                ("numbers", StandardScaler(), [2, 3, 4]),
            ]
        )
        pipeline = Pipeline(
            [("features", features), ("ridge", RidgeCV(alphas=np.asarray(self.alphas)))]
        )
        target = _log_observed(observations) - _log_benchmarks(observations)
        pipeline.fit(_feature_rows(observations), target)
        self.pipeline_ = pipeline
        self.n_observations_ = len(observations)
        return self

    def predict_log_rate(self, subjects: Sequence[_Subject]) -> _FloatArray:
        """The predicted natural log of the engagement rate of one post, per subject."""
        if not subjects:
            return np.empty(0, dtype=np.float64)
        offsets = np.asarray(self.pipeline_.predict(_feature_rows(subjects)), dtype=np.float64)
        return _log_benchmarks(subjects) + offsets


class ConversionRateModel:
    """The tier's conversion rate times a learned multiplier, shrunk towards the benchmark.

    With ``r_i = observed_i / tier rate_i``, the organisation-wide multiplier is
    ``g = (sum r_i + k) / (n + k)`` and a tier's is ``m_t = (sum_{i in t} r_i + k g) /
    (n_t + k)``, ``k = prior_strength``: a tier with few observations borrows the
    organisation's multiplier, an organisation with few borrows the benchmark's 1.

    Attributes (after :meth:`fit`): ``global_multiplier_``, ``tier_multipliers_`` (every
    tier), ``n_observations_``.
    """

    def __init__(self, *, prior_strength: float = 5.0) -> None:
        self.prior_strength = prior_strength

    def fit(self, observations: Sequence[Observation]) -> ConversionRateModel:
        """Fit on the observations that have an ``observed_conversion_rate``; returns self."""
        if not (math.isfinite(self.prior_strength) and self.prior_strength > 0):
            raise InvalidInputError.for_field(
                "prior_strength", "must be > 0", value=self.prior_strength
            )
        k = self.prior_strength
        ratios: dict[Tier, list[float]] = {t: [] for t in Tier}
        for o in observations:
            if o.observed_conversion_rate is not None:
                tier = o.effective_tier
                ratios[tier].append(
                    o.observed_conversion_rate / TIER_BENCHMARKS[tier].conversion_rate
                )
        everything = [r for rs in ratios.values() for r in rs]
        g = (math.fsum(everything) + k) / (len(everything) + k)
        self.global_multiplier_ = g
        self.tier_multipliers_ = {
            t: (math.fsum(rs) + k * g) / (len(rs) + k) for t, rs in ratios.items()
        }
        self.n_observations_ = len(everything)
        return self

    def predict_rate(self, subjects: Sequence[_Subject]) -> _FloatArray:
        """The predicted conversions per engagement, per subject."""
        return np.array(
            [
                TIER_BENCHMARKS[s.effective_tier].conversion_rate
                * self.tier_multipliers_[s.effective_tier]
                for s in subjects
            ],
            dtype=np.float64,
        )


@dataclass(frozen=True)
class Comparison:
    """The cross-validated error of the model and of the benchmarks for one target.

    ``n`` counts the observations scored, ``folds`` the folds used (0 when the comparison
    was not run, and then both errors are None). ``standard_error`` is the standard error of
    ``model_error - benchmark_error`` with creators as clusters. ``used`` is true only when
    ``model_error < benchmark_error - margin x standard_error`` (see :class:`OutcomeLearner`),
    so always ``model_error < benchmark_error``.
    """

    metric: str
    model_error: float | None
    benchmark_error: float | None
    n: int
    folds: int
    used: bool
    standard_error: float | None = None

    def describe(self) -> str:
        """The errors in words: "0.31 for the model vs 0.48 for the benchmarks, ..."."""
        if self.model_error is None or self.benchmark_error is None:
            return "not compared"
        se = "" if self.standard_error is None else f", standard error {self.standard_error:.2g}"
        return (
            f"{self.model_error:.4g} for the model vs {self.benchmark_error:.4g} for the "
            f"benchmarks{se} ({self.metric}, {self.folds}-fold cross-validation over "
            f"{self.n} posts)"
        )


@dataclass(frozen=True)
class LearnedOutcomeModel:
    """The fitted estimators that beat the benchmarks, as a planner ``OutcomeModel``.

    ``engagement_residuals`` are the (low quantile, smearing factor, high quantile) of the
    cross-validated residuals of the log rate: the engagement range is ``exp(log rate +
    low)``, ``exp(log rate) x smearing`` (the mean of a log-normal-ish error, kept inside
    the range) and ``exp(log rate + high)``, each capped at 1.
    """

    engagement: EngagementRateModel | None
    conversion: ConversionRateModel | None
    engagement_residuals: tuple[float, float, float] = (0.0, 1.0, 0.0)

    @property
    def name(self) -> str:
        targets = [
            label
            for label, fitted in (("engagement", self.engagement), ("conversion", self.conversion))
            if fitted is not None
        ]
        return f"learned from outcomes ({', '.join(targets) or 'nothing'})"

    def predict(self, candidate: Candidate) -> ModelEstimate:
        """The modelled engagement-rate range and conversion rate of one post; None for a
        target that kept the benchmarks."""
        rate = None
        if self.engagement is not None:
            (log_rate,) = self.engagement.predict_log_rate([candidate])
            low_q, smear, high_q = self.engagement_residuals
            low = min(1.0, math.exp(log_rate + low_q))
            high = min(1.0, math.exp(log_rate + high_q))
            expected = min(max(math.exp(log_rate) * smear, low), high)
            rate = Range(low, expected, high)
        conversion = None
        if self.conversion is not None:
            (value,) = self.conversion.predict_rate([candidate])
            conversion = float(value)
        return ModelEstimate(engagement_rate=rate, conversion_rate=conversion)


@dataclass(frozen=True)
class LearningResult:
    """What was learned: the model (None when no target beat the benchmarks), the two
    comparisons, and one sentence per target saying which was used and why."""

    model: LearnedOutcomeModel | None
    engagement: Comparison
    conversion: Comparison
    reason: str


def _group_ids(observations: Sequence[Observation]) -> npt.NDArray[np.int64]:
    """A group index per observation: its creator, or itself when the creator is unknown."""
    keys: dict[tuple[str, object], int] = {}
    ids = [
        keys.setdefault(
            ("creator", o.creator_id) if o.creator_id is not None else ("row", i), len(keys)
        )
        for i, o in enumerate(observations)
    ]
    return np.array(ids, dtype=np.int64)


def _group_folds(
    groups: npt.NDArray[np.int64], cv: int, random_state: int
) -> npt.NDArray[np.int64]:
    """A fold index per observation: the groups shuffled, then dealt out round-robin."""
    n_groups = int(groups.max()) + 1 if groups.size else 0
    order = np.random.default_rng(random_state).permutation(n_groups)
    fold_of_group = np.empty(n_groups, dtype=np.int64)
    fold_of_group[order] = np.arange(n_groups) % cv
    return fold_of_group[groups]


def _clustered_standard_error(differences: _FloatArray, groups: npt.NDArray[np.int64]) -> float:
    """The standard error of ``differences.mean()`` when rows of one group are correlated."""
    n = differences.size
    labels, inverse = np.unique(groups, return_inverse=True)
    if labels.size < 2:
        return math.inf
    mean = float(differences.mean())
    sums = np.bincount(inverse, weights=differences - mean)
    g = labels.size
    return float(math.sqrt(g / (g - 1) * float(np.sum(sums**2))) / n)


class OutcomeLearner:
    """Fit the outcome estimators and keep each only where it beats the benchmarks.

    For each target, the observations are split into ``cv`` folds by creator; the model is
    fitted on the other folds and predicts each fold, the benchmark predicts it as it is,
    and both are scored with the target's metric (:data:`ENGAGEMENT_METRIC`,
    :data:`CONVERSION_METRIC`). The model is used only when its error is lower than the
    benchmarks' by more than ``margin`` standard errors of the difference (the
    one-standard-error rule of model selection: on a tie, keep the simpler predictor); a
    margin of 0 means strictly lower.

    Args:
        min_observations: fewer observations of a target (posts; for conversions, posts
            with a conversion rate) and the target is not modelled.
        cv: the number of folds; a target also needs at least ``cv`` creators.
        random_state: seeds the assignment of creators to folds.
        margin: how many standard errors the model must win by.
        alphas: the ridge penalties tried by :class:`EngagementRateModel`.
        prior_strength: the shrinkage of :class:`ConversionRateModel`, in observations.
        quantiles: the residual quantiles that make the low and high engagement rates.

    Attributes (after :meth:`fit`): ``result_`` (a :class:`LearningResult`).
    """

    def __init__(
        self,
        *,
        min_observations: int = 20,
        cv: int = 5,
        random_state: int = 0,
        margin: float = 1.0,
        alphas: Sequence[float] = _DEFAULT_ALPHAS,
        prior_strength: float = 5.0,
        quantiles: tuple[float, float] = (0.1, 0.9),
    ) -> None:
        self.min_observations = min_observations
        self.cv = cv
        self.random_state = random_state
        self.margin = margin
        self.alphas = alphas
        self.prior_strength = prior_strength
        self.quantiles = quantiles

    def fit(self, observations: Sequence[Observation]) -> OutcomeLearner:
        """Cross-validate both targets against the benchmarks and fit what beats them."""
        self._check_params()
        observations = list(observations)
        engagement, engagement_model, spread, engagement_why = self._engagement(observations)
        conversion, conversion_model, conversion_why = self._conversion(observations)
        model = None
        if engagement_model is not None or conversion_model is not None:
            model = LearnedOutcomeModel(engagement_model, conversion_model, spread)
        self.result_ = LearningResult(
            model=model,
            engagement=engagement,
            conversion=conversion,
            reason=f"engagement: {engagement_why}; conversions: {conversion_why}",
        )
        return self

    def _check_params(self) -> None:
        if isinstance(self.cv, bool) or not isinstance(self.cv, int) or self.cv < 2:
            raise InvalidInputError.for_field("cv", "must be an integer >= 2", value=self.cv)
        if self.min_observations < 2:
            raise InvalidInputError.for_field(
                "min_observations", "must be >= 2", value=self.min_observations
            )
        if not (math.isfinite(self.margin) and self.margin >= 0):
            raise InvalidInputError.for_field("margin", "must be >= 0", value=self.margin)
        low, high = self.quantiles
        if not 0 <= low <= high <= 1:
            raise InvalidInputError.for_field(
                "quantiles", "need 0 <= low <= high <= 1", value=self.quantiles
            )

    def _cannot_compare(self, observations: Sequence[Observation], what: str) -> str | None:
        """Why a target cannot be cross-validated, or None when it can."""
        if len(observations) < self.min_observations:
            return f"{len(observations)} {what}, fewer than the {self.min_observations} needed"
        groups = len(np.unique(_group_ids(observations)))
        if groups < self.cv:
            return (
                f"{what} from {groups} creators, fewer than the {self.cv} that "
                f"{self.cv}-fold cross-validation needs"
            )
        return None

    def _compare(
        self,
        metric: str,
        model_errors: _FloatArray,
        benchmark_errors: _FloatArray,
        groups: npt.NDArray[np.int64],
    ) -> tuple[Comparison, str]:
        """The comparison of two predictors' errors (one per row, same rows), and a verdict."""
        model_error = float(model_errors.mean())
        benchmark_error = float(benchmark_errors.mean())
        se = _clustered_standard_error(model_errors - benchmark_errors, groups)
        used = model_error < benchmark_error and model_error < benchmark_error - self.margin * se
        comparison = Comparison(
            metric=metric,
            model_error=model_error,
            benchmark_error=benchmark_error,
            n=int(model_errors.size),
            folds=self.cv,
            used=used,
            standard_error=se,
        )
        if used:
            verdict = "the model, which beat the benchmarks in cross-validation"
        elif model_error < benchmark_error:
            verdict = (
                "the benchmarks, as the model's win in cross-validation was within the noise "
                f"(less than {self.margin:g} standard errors)"
            )
        else:
            verdict = "the benchmarks, which the model did not beat in cross-validation"
        return comparison, f"{verdict}: {comparison.describe()}"

    def _engagement(
        self, observations: list[Observation]
    ) -> tuple[Comparison, EngagementRateModel | None, tuple[float, float, float], str]:
        # The planner asks the model only about candidates without a stated rate, so only
        # those posts are scored; every post trains.
        scored = np.array([o.engagement_rate is None for o in observations], dtype=bool)
        groups = _group_ids(observations)
        folds = _group_folds(groups, self.cv, self.random_state)
        why_not = self._cannot_compare(observations, "posts")
        if why_not is None and not scored.any():
            why_not = (
                "every observed creator states an engagement rate, so the model would never "
                "be asked"
            )
        if why_not is None and min(int(np.sum(folds != k)) for k in range(self.cv)) < 2:
            why_not = "one creator holds nearly every post, so a fold would train on one post"
        if why_not is not None:
            comparison = Comparison(ENGAGEMENT_METRIC, None, None, int(scored.sum()), 0, False)
            return comparison, None, (0.0, 1.0, 0.0), f"the benchmarks ({why_not})"
        predicted = np.empty(len(observations), dtype=np.float64)
        for k in range(self.cv):
            test = np.flatnonzero(folds == k)
            train = [observations[i] for i in np.flatnonzero(folds != k)]
            fitted = EngagementRateModel(alphas=self.alphas).fit(train)
            predicted[test] = fitted.predict_log_rate([observations[i] for i in test])
        truth = _log_observed(observations)[scored]
        residuals = truth - predicted[scored]
        benchmark = _log_benchmarks(observations)[scored]
        comparison, verdict = self._compare(
            ENGAGEMENT_METRIC, np.abs(residuals), np.abs(truth - benchmark), groups[scored]
        )
        low, high = self.quantiles
        spread = (
            float(np.quantile(residuals, low)),
            float(np.mean(np.exp(residuals))),
            float(np.quantile(residuals, high)),
        )
        final = None
        if comparison.used:
            final = EngagementRateModel(alphas=self.alphas).fit(observations)
        return comparison, final, spread, verdict

    def _conversion(
        self, observations: list[Observation]
    ) -> tuple[Comparison, ConversionRateModel | None, str]:
        tracked = [o for o in observations if o.observed_conversion_rate is not None]
        why_not = self._cannot_compare(tracked, "posts with attributed conversions")
        if why_not is not None:
            comparison = Comparison(CONVERSION_METRIC, None, None, len(tracked), 0, False)
            return comparison, None, f"the benchmarks ({why_not})"
        groups = _group_ids(tracked)
        folds = _group_folds(groups, self.cv, self.random_state)
        predicted = np.empty(len(tracked), dtype=np.float64)
        for k in range(self.cv):
            test = np.flatnonzero(folds == k)
            train = [tracked[i] for i in np.flatnonzero(folds != k)]
            fitted = ConversionRateModel(prior_strength=self.prior_strength).fit(train)
            predicted[test] = fitted.predict_rate([tracked[i] for i in test])
        truth = np.array([o.observed_conversion_rate for o in tracked], dtype=np.float64)
        benchmark = np.array(
            [TIER_BENCHMARKS[o.effective_tier].conversion_rate for o in tracked], dtype=np.float64
        )
        # Squared error: the planner sums expected conversions, so the right prediction is
        # the mean, which squared error rewards (absolute error rewards the median, and a
        # conversion count of a small creator is skewed).
        comparison, verdict = self._compare(
            CONVERSION_METRIC, (truth - predicted) ** 2, (truth - benchmark) ** 2, groups
        )
        final = None
        if comparison.used:
            final = ConversionRateModel(prior_strength=self.prior_strength).fit(tracked)
        return comparison, final, verdict


def fit_outcome_model(
    observations: Sequence[Observation],
    *,
    min_observations: int = 20,
    cv: int = 5,
    random_state: int = 0,
    margin: float = 1.0,
) -> LearningResult:
    """Learn engagement and conversion rates from ``observations``; see :class:`OutcomeLearner`.

    Returns:
        a :class:`LearningResult`: ``model`` is None unless a target's model beat the
        benchmarks in cross-validation (lower error on the same folds, by more than
        ``margin`` standard errors).
    """
    learner = OutcomeLearner(
        min_observations=min_observations, cv=cv, random_state=random_state, margin=margin
    )
    return learner.fit(observations).result_
