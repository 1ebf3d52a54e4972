"""Authenticity: how likely a creator's audience and engagement are organic.

:class:`AuthenticityModel` combines two things so that every verdict is explainable:

- **rules**: transparent red flags with absolute thresholds (engagement far below the tier
  benchmark, likes far out of proportion to comments, more comments than likes, engagement
  implausibly far above the benchmark, video views tiny next to the follower count);
- **an anomaly model**: an IsolationForest on robust-scaled log features, fitted on an
  organisation's creators (any list of records). It catches profiles that are unusual for
  that population without crossing a fixed threshold; its reasons name the features that
  lie furthest from the population's median.

``score = rules * (1 - MODEL_WEIGHT * (1 - model))``; a creator is flagged when the score is
below ``flag_threshold``. With fewer than ``min_fit_records`` records the model is not fitted
and only the rules apply.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import IsolationForest
from sklearn.preprocessing import RobustScaler

from matcher.features import CreatorFeatures, creator_features, format_count, format_pct

__all__ = [
    "MODEL_FEATURES",
    "AuthenticityModel",
    "AuthenticityScore",
    "red_flags",
]

# Features of the anomaly model, all log10 (ratios are scale-free; logs tame the tails).
MODEL_FEATURES: tuple[str, ...] = (
    "log_followers",
    "log_engagement_vs_benchmark",
    "log_likes_to_comments",
    "log_views_to_followers",
)
# The direction in which fake followers or likes move each feature (+1 up, -1 down, 0 none):
# the model only lowers a score when the profile deviates that way by at least
# SUSPICIOUS_DEVIATION interquartile ranges, so unusually *good* profiles are not penalised.
SUSPICIOUS_DIRECTIONS: tuple[int, ...] = (0, -1, 1, -1)
SUSPICIOUS_DEVIATION = 2.0

# The model can pull the score down to 1 - MODEL_WEIGHT on its own.
MODEL_WEIGHT = 0.7
# decision_function units that take the model score from 0.5 to 1 (or to 0).
MODEL_SCALE = 0.12

# Rule thresholds (see docs/matcher-scoring.md).
TYPICAL_LIKES_TO_COMMENTS = (20, 60)
MAX_LIKES_TO_COMMENTS = 200
MIN_LIKES_FOR_RATIO = 100
VIDEO_PLATFORMS = frozenset({"tiktok", "youtube"})
MIN_VIEWS_TO_FOLLOWERS = 0.02


@dataclass(frozen=True)
class AuthenticityScore:
    """The verdict for one creator.

    ``score`` in [0, 1] (1 = organic) or None when followers or engagement are unknown;
    ``red_flags`` the codes of the rules that fired; ``model_score`` in [0, 1] or None when
    no model was fitted.
    """

    score: float | None
    flagged: bool
    reasons: tuple[str, ...]
    red_flags: tuple[str, ...] = ()
    model_score: float | None = None
    rule_score: float | None = None


def _ratio_text(x: float) -> str:
    return f"{x:,.0f}:1" if x >= 10 else f"{x:.1f}:1"


def red_flags(f: CreatorFeatures) -> list[tuple[str, float, str]]:
    """The rules that fire for one creator: (code, severity in (0, 1), reason)."""
    out: list[tuple[str, float, str]] = []
    if f.followers is None or f.engagement_rate is None or f.tier is None or not f.benchmark:
        return out
    low, high = f.benchmark
    rate = f.engagement_rate
    bench = f"{f.tier.value} benchmark {format_pct(low)}-{format_pct(high)}"
    head = f"{format_count(f.followers)} followers, {format_pct(rate)} engagement ({bench})"
    if rate < 0.1 * low:
        out.append(("ENGAGEMENT_FAR_BELOW_BENCHMARK", 0.8, head))
    elif rate < 0.25 * low:
        out.append(("ENGAGEMENT_FAR_BELOW_BENCHMARK", 0.6, head))
    elif rate < 0.5 * low:
        out.append(("ENGAGEMENT_BELOW_BENCHMARK", 0.25, head))
    if rate > 3 * high and f.followers >= 10_000:
        out.append(
            ("ENGAGEMENT_IMPLAUSIBLY_HIGH", 0.3, f"{head}: engagement pods or bought likes?")
        )
    likes, comments = f.avg_likes, f.avg_comments
    if likes is not None and comments is not None and likes >= MIN_LIKES_FOR_RATIO:
        ratio = likes / max(comments, 1.0)
        lo_t, hi_t = TYPICAL_LIKES_TO_COMMENTS
        if ratio > MAX_LIKES_TO_COMMENTS:
            out.append(
                (
                    "LIKES_TO_COMMENTS_HIGH",
                    0.35,
                    f"likes-to-comments {_ratio_text(ratio)} (typical {lo_t}-{hi_t}:1)",
                )
            )
        elif comments > likes:
            out.append(
                (
                    "MORE_COMMENTS_THAN_LIKES",
                    0.3,
                    f"more comments than likes ({format_count(comments)} vs "
                    f"{format_count(likes)} a post): comment pods or bots?",
                )
            )
    if (
        f.platform in VIDEO_PLATFORMS
        and f.views_to_followers is not None
        and f.followers >= 10_000
        and f.views_to_followers < MIN_VIEWS_TO_FOLLOWERS
    ):
        out.append(
            (
                "VIEWS_FAR_BELOW_FOLLOWERS",
                0.3,
                f"average views {format_pct(f.views_to_followers)} of "
                f"{format_count(f.followers)} followers",
            )
        )
    return out


def _model_row(f: CreatorFeatures) -> list[float]:
    def lg(x: float | None, plus: float = 0.0) -> float:
        return math.log10(x + plus) if x is not None and x + plus > 0 else math.nan

    return [
        f.log_followers if f.log_followers is not None else math.nan,
        lg(f.engagement_vs_benchmark, 1e-4),
        lg(f.likes_to_comments, 1.0),
        lg(f.views_to_followers, 1e-4),
    ]


def _describe(name: str, value: float, median: float) -> str:
    raw, mid = 10**value, 10**median
    if name == "log_followers":
        return f"{format_count(raw)} followers (median {format_count(mid)})"
    if name == "log_engagement_vs_benchmark":
        return f"engagement {raw:.2f}x the tier benchmark (median {mid:.2f}x)"
    if name == "log_likes_to_comments":
        return f"likes-to-comments {_ratio_text(raw - 1)} (median {_ratio_text(mid - 1)})"
    if name == "log_views_to_followers":
        return f"views {format_pct(raw)} of followers (median {format_pct(mid)})"
    raise KeyError(name)


class AuthenticityModel:
    """Rules plus an IsolationForest fitted on a population of creator records.

    Args:
        n_estimators: trees in the forest.
        random_state: seed; the same records give the same scores.
        min_fit_records: below this many records no model is fitted (rules only).
        flag_threshold: a score below this flags the creator.
    """

    def __init__(
        self,
        *,
        n_estimators: int = 200,
        random_state: int = 0,
        min_fit_records: int = 30,
        flag_threshold: float = 0.5,
    ) -> None:
        self.n_estimators = n_estimators
        self.random_state = random_state
        self.min_fit_records = min_fit_records
        self.flag_threshold = flag_threshold

    def fit(self, records: Sequence[Mapping[str, Any]]) -> AuthenticityModel:
        """Learn the population's medians, scaling and anomaly forest; returns self."""
        feats = [creator_features(r) for r in records]
        usable = [f for f in feats if f.followers is not None and f.engagement_rate is not None]
        x = np.asarray([_model_row(f) for f in usable], dtype=np.float64).reshape(
            len(usable), len(MODEL_FEATURES)
        )
        with np.errstate(all="ignore"):
            medians = (
                np.nanmedian(np.where(np.isnan(x).all(axis=0), 0.0, x), axis=0)
                if len(usable)
                else np.zeros(len(MODEL_FEATURES))
            )
        self.medians_: npt.NDArray[np.float64] = np.nan_to_num(medians, nan=0.0)
        self.n_fit_records_ = len(usable)
        self.scaler_: RobustScaler | None = None
        self.forest_: IsolationForest | None = None
        if len(usable) >= self.min_fit_records:
            filled = self._impute(x)
            self.scaler_ = RobustScaler().fit(filled)
            self.forest_ = IsolationForest(
                n_estimators=self.n_estimators, random_state=self.random_state
            ).fit(self.scaler_.transform(filled))
        return self

    def _impute(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.where(np.isnan(x), self.medians_, x)

    def score(self, records: Sequence[Mapping[str, Any]]) -> list[AuthenticityScore]:
        """One :class:`AuthenticityScore` per record, in order.

        Raises:
            RuntimeError: before :meth:`fit`.
        """
        if not hasattr(self, "medians_"):
            raise RuntimeError("AuthenticityModel.score called before fit")
        feats = [creator_features(r) for r in records]
        x = np.asarray([_model_row(f) for f in feats], dtype=np.float64).reshape(
            len(feats), len(MODEL_FEATURES)
        )
        model_scores: list[float | None] = [None] * len(feats)
        scaled: npt.NDArray[np.float64] | None = None
        if self.forest_ is not None and self.scaler_ is not None and len(feats):
            scaled = np.asarray(self.scaler_.transform(self._impute(x)), dtype=np.float64)
            decision = self.forest_.decision_function(scaled)
            model_scores = [
                float(min(1.0, max(0.0, 0.5 + d / (2 * MODEL_SCALE)))) for d in decision
            ]
        out = []
        for i, f in enumerate(feats):
            if f.followers is None or f.engagement_rate is None:
                out.append(
                    AuthenticityScore(
                        None, False, ("not enough data: followers and engagement needed",)
                    )
                )
                continue
            flags = red_flags(f)
            rule_score = math.prod(1 - sev for _, sev, _ in flags)
            reasons = [reason for _, _, reason in flags]
            ms = model_scores[i]
            score = rule_score
            if ms is not None and scaled is not None and self._suspicious(scaled[i]):
                score = rule_score * (1 - MODEL_WEIGHT * (1 - ms))
                if ms < 0.5:
                    reasons.append(self._model_reason(x[i], scaled[i]))
            out.append(
                AuthenticityScore(
                    score=score,
                    flagged=score < self.flag_threshold,
                    reasons=tuple(reasons),
                    red_flags=tuple(code for code, _, _ in flags),
                    model_score=ms,
                    rule_score=rule_score,
                )
            )
        return out

    @staticmethod
    def _suspicious(scaled: npt.NDArray[np.float64]) -> bool:
        directed = scaled * np.asarray(SUSPICIOUS_DIRECTIONS, dtype=np.float64)
        return bool(np.max(directed) >= SUSPICIOUS_DEVIATION)

    def _model_reason(self, raw: npt.NDArray[np.float64], scaled: npt.NDArray[np.float64]) -> str:
        directed = scaled * np.asarray(SUSPICIOUS_DIRECTIONS, dtype=np.float64)
        order = np.argsort(-directed)
        parts = [
            _describe(MODEL_FEATURES[j], float(raw[j]), float(self.medians_[j]))
            for j in order[:2]
            if not math.isnan(raw[j]) and directed[j] >= SUSPICIOUS_DEVIATION
        ]
        detail = "; ".join(parts) if parts else "an unusual combination of metrics"
        return f"unusual for this population of {self.n_fit_records_} creators: {detail}"
