"""Learning engagement and conversion rates from outcomes, and when it replaces benchmarks."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import numpy as np
import pytest

from core.errors import InvalidInputError
from core.tiers import TIER_BENCHMARKS, Tier, tier_for_followers
from planner.learning import (
    CONVERSION_METRIC,
    ENGAGEMENT_METRIC,
    ConversionRateModel,
    EngagementRateModel,
    LearnedOutcomeModel,
    LearningResult,
    Observation,
    OutcomeLearner,
    _group_folds,
    _group_ids,
    fit_outcome_model,
)
from planner.optimizer import plan
from planner.projections import (
    Candidate,
    OutcomeModel,
    Source,
    benchmark_engagement_rate,
    project,
)
from planner.report import plan_to_dict

PLATFORMS = ("instagram", "tiktok", "youtube")
CREATOR_SPREAD = 0.2  # sd of a creator's log rate around the truth of its kind
POST_SPREAD = 0.3  # sd of one post's log rate around its creator's


@dataclass(frozen=True)
class Creator:
    """A synthetic creator: ``rate`` is the median engagement rate of its posts."""

    id: int
    followers: int
    platform: str
    rate: float
    conversion_rate: float
    stated: float | None

    @property
    def tier(self) -> Tier:
        tier = tier_for_followers(self.followers)
        assert tier is not None
        return tier

    @property
    def expected_rate(self) -> float:
        """The mean engagement rate of one post (log-normal around ``rate``)."""
        return self.rate * math.exp(POST_SPREAD**2 / 2)

    def candidate(self) -> Candidate:
        return Candidate(
            id=self.id, handle=f"c{self.id}", platform=self.platform, followers=self.followers
        )


def make_creators(
    seed: int,
    n: int = 40,
    *,
    tiktok: float = 1.0,
    conversion: float = 1.0,
    stated_share: float = 0.3,
    first_id: int = 0,
) -> list[Creator]:
    """Creators whose truth is the benchmark, times ``tiktok`` on TikTok (engagement) and
    times ``conversion`` (conversions per engagement)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        followers = int(10 ** rng.uniform(3.2, 6.5))
        platform = PLATFORMS[i % len(PLATFORMS)]
        tier = tier_for_followers(followers)
        assert tier is not None
        median = benchmark_engagement_rate(tier, platform).expected
        median *= tiktok if platform == "tiktok" else 1.0
        rate = median * math.exp(rng.normal(0, CREATOR_SPREAD))
        stated = None
        if rng.random() < stated_share:
            stated = min(1.0, rate * math.exp(rng.normal(0, 0.1)))
        out.append(
            Creator(
                id=first_id + i,
                followers=followers,
                platform=platform,
                rate=rate,
                conversion_rate=TIER_BENCHMARKS[tier].conversion_rate * conversion,
                stated=stated,
            )
        )
    return out


def observe(creators: list[Creator], seed: int, posts: int = 4) -> list[Observation]:
    """Each creator's posts, with the conversions of its program (binomial per engagement)
    attributed per engagement and repeated on each post, as ``observations_for`` does."""
    rng = np.random.default_rng(seed)
    out = []
    for c in creators:
        rates = [c.rate * math.exp(rng.normal(0, POST_SPREAD)) for _ in range(posts)]
        engagements = int(sum(r * c.followers for r in rates))
        conversions = int(rng.binomial(engagements, c.conversion_rate))
        out += [
            Observation(
                followers=c.followers,
                platform=c.platform,
                observed_engagement_rate=r,
                engagement_rate=c.stated,
                observed_conversion_rate=conversions / engagements if engagements else None,
                creator_id=c.id,
            )
            for r in rates
        ]
    return out


def world(seed: int, **kwargs: float) -> list[Observation]:
    return observe(make_creators(seed, **kwargs), seed + 1000)


# --------------------------------------------------------------------------- observation


class TestObservation:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("followers", 0),
            ("followers", -5),
            ("followers", 1.5),
            ("followers", True),
            ("observed_engagement_rate", -0.01),
            ("observed_engagement_rate", math.nan),
            ("engagement_rate", 1.5),
            ("engagement_rate", -0.1),
            ("observed_conversion_rate", -0.2),
            ("observed_conversion_rate", math.inf),
        ],
    )
    def test_rejects_bad_values(self, field: str, value: object) -> None:
        good = Observation(followers=20_000, platform="instagram", observed_engagement_rate=0.05)
        with pytest.raises(InvalidInputError) as info:
            replace(good, **{field: value})
        assert field in str(info.value)

    def test_accepts_a_post_that_travels_beyond_the_audience(self) -> None:
        o = Observation(followers=1_500, platform="tiktok", observed_engagement_rate=2.5)
        assert o.observed_engagement_rate == 2.5

    def test_tier_defaults_to_the_followers_tier(self) -> None:
        o = Observation(followers=20_000, platform="instagram", observed_engagement_rate=0.05)
        assert o.effective_tier is Tier.MICRO
        assert replace(o, tier=Tier.MID).effective_tier is Tier.MID


# --------------------------------------------------------------------------- (a) the truth is the benchmarks


class TestBenchmarkTruth:
    def test_the_model_does_not_beat_the_benchmarks_and_is_not_used(self) -> None:
        result = fit_outcome_model(world(seed=0))
        e, c = result.engagement, result.conversion
        assert result.model is None
        assert not e.used and not c.used
        assert e.model_error is not None and e.benchmark_error is not None
        assert c.model_error is not None and c.benchmark_error is not None
        assert e.standard_error is not None and c.standard_error is not None
        # Not better by more than the noise of the comparison (one standard error).
        assert e.model_error > e.benchmark_error - e.standard_error
        assert c.model_error > c.benchmark_error - c.standard_error
        assert (e.n, e.folds, c.n, c.folds) == (120, 5, 160, 5)
        assert e.metric == ENGAGEMENT_METRIC and c.metric == CONVERSION_METRIC
        assert result.reason.startswith("engagement: the benchmarks")
        assert "conversions: the benchmarks" in result.reason
        assert (
            f"{e.model_error:.4g} for the model vs {e.benchmark_error:.4g} for the benchmarks, "
            f"standard error {e.standard_error:.2g} ({ENGAGEMENT_METRIC}, 5-fold "
            "cross-validation over 120 posts)"
        ) in result.reason

    def test_the_model_is_rarely_used_over_many_worlds(self) -> None:
        results = [fit_outcome_model(world(seed)) for seed in range(30)]
        assert sum(r.engagement.used for r in results) <= 2
        assert sum(r.conversion.used for r in results) <= 3

    def test_a_win_within_the_noise_counts_only_without_a_margin(self) -> None:
        observations = world(seed=9)
        strict = fit_outcome_model(observations, margin=0.0)
        careful = fit_outcome_model(observations)
        c = careful.conversion
        assert c.model_error is not None and c.benchmark_error is not None
        assert c.standard_error is not None
        assert c.benchmark_error - c.standard_error < c.model_error < c.benchmark_error
        assert strict.conversion.used and not careful.conversion.used
        assert "within the noise" in careful.reason


# --------------------------------------------------------------------------- (b) TikTok at twice the benchmark


@functools.cache
def tiktok_result() -> LearningResult:
    return fit_outcome_model(world(seed=0, tiktok=2.0))


class TestTikTokTwiceTheBenchmark:
    @pytest.fixture
    def result(self) -> LearningResult:
        return tiktok_result()

    def test_the_model_beats_the_benchmarks_and_is_used(self, result: LearningResult) -> None:
        e = result.engagement
        assert e.used
        assert e.model_error is not None and e.benchmark_error is not None
        assert e.standard_error is not None
        assert e.model_error < e.benchmark_error - e.standard_error
        assert e.benchmark_error - e.model_error > 0.05  # a real gain in log rate
        assert result.reason.startswith("engagement: the model, which beat the benchmarks")
        assert result.model is not None and result.model.engagement is not None

    def test_conversions_still_follow_the_benchmarks(self, result: LearningResult) -> None:
        assert not result.conversion.used
        assert result.model is not None and result.model.conversion is None
        estimate = result.model.predict(make_creators(99, 1)[0].candidate())
        assert estimate.conversion_rate is None

    def test_it_learns_the_tiktok_effect(self, result: LearningResult) -> None:
        assert result.model is not None and result.model.engagement is not None
        tiktok = Candidate(id=1, handle="t", platform="tiktok", followers=30_000)
        instagram = replace(tiktok, id=2, platform="instagram")
        (log_t, log_i) = result.model.engagement.predict_log_rate([tiktok, instagram])
        bench_t = benchmark_engagement_rate(Tier.MICRO, "tiktok").expected
        bench_i = benchmark_engagement_rate(Tier.MICRO, "instagram").expected
        assert 1.6 < math.exp(log_t) / bench_t < 2.4
        assert 0.8 < math.exp(log_i) / bench_i < 1.25

    def test_predictions_are_closer_to_the_truth_on_held_out_creators(
        self, result: LearningResult
    ) -> None:
        assert result.model is not None
        held_out = make_creators(seed=123, n=60, tiktok=2.0, first_id=10_000)
        model_err, bench_err = [], []
        for c in held_out:
            estimate = result.model.predict(c.candidate())
            assert estimate.engagement_rate is not None
            model_err.append(abs(math.log(estimate.engagement_rate.expected / c.expected_rate)))
            bench = benchmark_engagement_rate(c.tier, c.platform).expected
            bench_err.append(abs(math.log(bench / c.expected_rate)))
        assert np.mean(model_err) < 0.75 * np.mean(bench_err)
        tiktok = [i for i, c in enumerate(held_out) if c.platform == "tiktok"]
        assert np.mean([model_err[i] for i in tiktok]) < 0.5 * np.mean(
            [bench_err[i] for i in tiktok]
        )

    def test_the_range_covers_most_held_out_posts(self, result: LearningResult) -> None:
        assert result.model is not None
        creators = make_creators(seed=321, n=60, tiktok=2.0, first_id=20_000)
        posts = observe(creators, seed=322)
        inside = 0
        for o in posts:
            candidate = Candidate(id=0, handle="x", platform=o.platform, followers=o.followers)
            estimate = result.model.predict(candidate)
            assert estimate.engagement_rate is not None
            r = estimate.engagement_rate
            assert 0 < r.low <= r.expected <= r.high <= 1
            inside += r.low <= o.observed_engagement_rate <= r.high
        assert 0.65 <= inside / len(posts) <= 0.92  # a 10%-90% interval


# --------------------------------------------------------------------------- conversions


def test_conversions_above_the_benchmark_are_learned_per_tier() -> None:
    result = fit_outcome_model(world(seed=0, conversion=1.5))
    assert result.conversion.used and not result.engagement.used
    assert result.model is not None and result.model.conversion is not None
    candidate = Candidate(id=1, handle="m", platform="instagram", followers=40_000)
    estimate = result.model.predict(candidate)
    assert estimate.engagement_rate is None
    assert estimate.conversion_rate is not None
    assert 1.3 < estimate.conversion_rate / TIER_BENCHMARKS[Tier.MICRO].conversion_rate < 1.7


def test_the_conversion_model_shrinks_a_thin_tier_to_the_organisation() -> None:
    def post(followers: int, rate: float) -> Observation:
        return Observation(
            followers=followers,
            platform="instagram",
            observed_engagement_rate=0.05,
            observed_conversion_rate=rate,
        )

    micro = TIER_BENCHMARKS[Tier.MICRO].conversion_rate
    mega = TIER_BENCHMARKS[Tier.MEGA].conversion_rate
    model = ConversionRateModel(prior_strength=5.0).fit(
        [post(20_000, 2 * micro)] * 45 + [post(2_000_000, mega)]
    )
    assert model.global_multiplier_ == pytest.approx((45 * 2 + 1 + 5) / (46 + 5))
    g = model.global_multiplier_
    assert model.tier_multipliers_[Tier.MEGA] == pytest.approx((1 + 5 * g) / 6)
    assert model.tier_multipliers_[Tier.NANO] == pytest.approx(g)
    assert model.n_observations_ == 46


# --------------------------------------------------------------------------- (c) too little data


class TestTooLittleData:
    def test_too_few_posts(self) -> None:
        observations = world(seed=0, tiktok=2.0)[:19]
        result = fit_outcome_model(observations)
        assert result.model is None
        assert not result.engagement.used and not result.conversion.used
        assert result.engagement.model_error is None and result.engagement.folds == 0
        assert "19 posts, fewer than the 20 needed" in result.reason
        assert "19 posts with attributed conversions, fewer than the 20 needed" in result.reason

    def test_enough_posts_from_too_few_creators(self) -> None:
        observations = observe(make_creators(0, n=3, tiktok=2.0), seed=1, posts=10)
        result = fit_outcome_model(observations)
        assert result.model is None
        assert "posts from 3 creators, fewer than the 5 that 5-fold cross-validation needs" in (
            result.reason
        )

    def test_a_fold_that_would_train_on_one_post(self) -> None:
        lone = Observation(
            followers=20_000, platform="tiktok", observed_engagement_rate=0.1, creator_id=1
        )
        rest = [
            Observation(
                followers=30_000 + i,
                platform="instagram",
                observed_engagement_rate=0.05,
                creator_id=2,
            )
            for i in range(19)
        ]
        result = fit_outcome_model([lone, *rest], cv=2)
        assert result.model is None
        assert "a fold would train on one post" in result.reason

    def test_the_threshold_is_a_parameter(self) -> None:
        observations = world(seed=0, tiktok=2.0)
        assert fit_outcome_model(observations).engagement.used
        result = fit_outcome_model(observations, min_observations=len(observations) + 1)
        assert result.model is None
        assert f"{len(observations)} posts, fewer than the {len(observations) + 1}" in result.reason

    def test_untracked_conversions_keep_the_benchmark(self) -> None:
        observations = [
            replace(o, observed_conversion_rate=None) for o in world(seed=0, tiktok=2.0)
        ]
        result = fit_outcome_model(observations)
        assert result.engagement.used and not result.conversion.used
        assert result.conversion.n == 0
        assert "0 posts with attributed conversions" in result.reason

    def test_creators_who_all_state_a_rate_are_not_modelled(self) -> None:
        observations = world(seed=0, tiktok=2.0, stated_share=1.0)
        result = fit_outcome_model(observations)
        assert not result.engagement.used
        assert "the model would never be asked" in result.reason


# --------------------------------------------------------------------------- estimator style


class TestEstimators:
    def test_the_learner_stores_params_and_fit_returns_self(self) -> None:
        learner = OutcomeLearner(min_observations=30, cv=4, random_state=3, margin=0.5)
        assert (learner.min_observations, learner.cv, learner.random_state) == (30, 4, 3)
        assert not hasattr(learner, "result_")
        assert learner.fit(world(seed=0, tiktok=2.0)) is learner
        assert learner.result_.engagement.folds == 4

    def test_fit_outcome_model_is_the_learner(self) -> None:
        observations = world(seed=0, tiktok=2.0)
        assert (
            fit_outcome_model(observations, random_state=5).engagement
            == OutcomeLearner(random_state=5).fit(observations).result_.engagement
        )

    def test_the_folds_follow_the_random_state(self) -> None:
        observations = world(seed=0, tiktok=2.0)
        a = fit_outcome_model(observations, random_state=1).engagement
        b = fit_outcome_model(observations, random_state=1).engagement
        c = fit_outcome_model(observations, random_state=2).engagement
        assert a == b
        assert a.model_error != c.model_error
        assert a.benchmark_error == c.benchmark_error  # the benchmark does not depend on folds

    def test_a_creator_never_sits_in_two_folds(self) -> None:
        observations = world(seed=0)
        observations[5] = replace(observations[5], creator_id=None)  # its own group
        groups = _group_ids(observations)
        folds = _group_folds(groups, 5, random_state=0)
        by_creator: dict[object, set[int]] = {}
        for o, fold in zip(observations, folds, strict=True):
            key = o.creator_id if o.creator_id is not None else "lone"
            by_creator.setdefault(key, set()).add(int(fold))
        assert all(len(f) == 1 for f in by_creator.values())
        creators_per_fold = np.bincount([next(iter(f)) for f in by_creator.values()])
        assert len(by_creator) == 41  # 40 creators and the lone post
        assert sorted(creators_per_fold.tolist()) == [8, 8, 8, 8, 9]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"cv": 1}, "cv"),
            ({"min_observations": 1}, "min_observations"),
            ({"margin": -1.0}, "margin"),
            ({"quantiles": (0.9, 0.1)}, "quantiles"),
        ],
    )
    def test_bad_params_are_rejected_at_fit(self, params: dict[str, object], field: str) -> None:
        learner = OutcomeLearner(**params)  # type: ignore[arg-type]  # one bad value per case
        with pytest.raises(InvalidInputError) as info:
            learner.fit(world(seed=0))
        assert field in str(info.value)

    def test_the_engagement_model_predicts_the_benchmark_when_it_learns_nothing(self) -> None:
        # Every post exactly at its benchmark: the offset is 0 everywhere.
        posts = [
            replace(
                o,
                observed_engagement_rate=benchmark_engagement_rate(
                    o.effective_tier, o.platform
                ).expected,
            )
            for o in world(seed=0)
        ]
        model = EngagementRateModel().fit(posts)
        candidate = Candidate(id=1, handle="x", platform="pinterest", followers=700_000)
        (log_rate,) = model.predict_log_rate([candidate])
        assert math.exp(log_rate) == pytest.approx(
            benchmark_engagement_rate(Tier.MACRO, "pinterest").expected, rel=1e-6
        )


def test_the_learned_model_is_an_outcome_model() -> None:
    result = fit_outcome_model(world(seed=0, tiktok=2.0, conversion=1.5))
    assert result.model is not None
    model: OutcomeModel = result.model
    assert isinstance(result.model, LearnedOutcomeModel)
    assert model.name == "learned from outcomes (engagement, conversion)"
    candidate = Candidate(id=1, handle="t", platform="tiktok", followers=30_000)
    projection = project(candidate, model=model)
    assert projection.engagement_source is Source.MODEL
    assert projection.conversion_source is Source.MODEL


# --------------------------------------------------------------------------- (d) the plan says so


def test_a_plan_reports_the_model_as_the_source() -> None:
    result = fit_outcome_model(world(seed=0, tiktok=2.0, conversion=1.5))
    assert result.engagement.used and result.conversion.used
    candidates = [
        Candidate(id="tom", handle="tom", platform="tiktok", followers=22_000, rate=300.0),
        Candidate(
            id="lena",
            handle="lena",
            platform="instagram",
            followers=48_200,
            rate=450.0,
            engagement_rate=0.045,
        ),
    ]
    with_model = plan(
        candidates, budget=1_000, objective="conversions", mix={"micro": 1.0}, model=result.model
    )
    without = plan(candidates, budget=1_000, objective="conversions", mix={"micro": 1.0})
    chosen = {p.candidate.id: p.projection for p in with_model.chosen}
    assert set(chosen) == {"tom", "lena"}
    tom, lena = chosen["tom"], chosen["lena"]
    assert tom.engagement_source is Source.MODEL
    assert tom.conversion_source is Source.MODEL
    assert tom.source is Source.MODEL  # cost observed, the rest modelled
    assert lena.engagement_source is Source.OBSERVED  # her own rate beats any model
    assert lena.source is Source.MODEL
    before = {p.candidate.id: p.projection for p in without.chosen}
    assert before["tom"].source is Source.BENCHMARKS
    assert tom.engagement_rate.expected > 1.5 * before["tom"].engagement_rate.expected
    rows = {row["id"]: row for row in plan_to_dict(with_model)["chosen"]}
    assert rows["tom"]["projection"]["source"] == "model"
    assert rows["tom"]["projection"]["sources"] == {
        "cost": "observed",
        "engagement_rate": "model",
        "conversion_rate": "model",
    }
