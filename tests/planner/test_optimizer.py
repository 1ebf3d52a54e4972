"""The optimiser against brute force on random instances, its constraints, and its reasons.

The brute force below is written from the problem statement (docs/planner.md), not from the
optimiser's code: it enumerates every subset of the candidates, keeps those that satisfy the
constraints and takes the best expected outcome.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from core.errors import InvalidInputError
from core.tiers import TIER_BENCHMARKS, Tier
from planner.mixes import OUTCOME_FOR, Objective, Outcome
from planner.optimizer import (
    REASON_CODES,
    CostBasis,
    Plan,
    SelectionProblem,
    SolverStatus,
    cap_applies,
    plan,
    solve,
)
from planner.overlap import overlap_matrix
from planner.projections import Candidate, project

PLAN_TIERS = [Tier.NANO, Tier.MICRO, Tier.MID, Tier.MACRO, Tier.MEGA]
FOLLOWERS = {
    Tier.NANO: (1_000, 9_999),
    Tier.MICRO: (10_000, 99_999),
    Tier.MID: (100_000, 499_999),
    Tier.MACRO: (500_000, 999_999),
    Tier.MEGA: (1_000_000, 5_000_000),
}
PLATFORMS = ["instagram", "tiktok", "youtube", "x"]
COUNTRIES = ["US", "DE", "FR", "GB"]
INTERESTS = ["cooking", "travel", "fitness", "tech", "beauty", "gaming"]
RANDOM_SEEDS = range(400)


@dataclass(frozen=True)
class Instance:
    candidates: tuple[Candidate, ...]
    budget: float
    objective: Objective
    mix: dict[str, float]
    overlap: list[list[float]] | None
    max_overlap: float | None
    max_share_of_tier: float
    one_per_handle: bool
    cost_basis: str
    weight_by_match: bool
    kwargs: dict[str, Any] = field(default_factory=dict)

    def run(self, **extra: Any) -> Plan:
        return plan(
            self.candidates,
            budget=self.budget,
            objective=self.objective,
            mix=self.mix,
            overlap=self.overlap,
            max_overlap=self.max_overlap,
            max_share_of_tier=self.max_share_of_tier,
            one_per_handle=self.one_per_handle,
            cost_basis=self.cost_basis,
            weight_by_match=self.weight_by_match,
            **extra,
        )


def random_audience(rng: random.Random) -> dict[str, Any] | None:
    if rng.random() < 0.1:
        return None
    countries = rng.sample(COUNTRIES, rng.randint(1, 3))
    return {
        "countries": {c: round(rng.random() + 0.01, 2) for c in countries},
        "interests": rng.sample(INTERESTS, rng.randint(1, 3)),
    }


def random_instance(seed: int) -> Instance:
    rng = random.Random(seed)
    n = rng.randint(8, 12)
    tiers = rng.sample(PLAN_TIERS, rng.randint(2, 4))
    weights = [rng.random() + 0.05 for _ in tiers]
    mix = {t.value: w / sum(weights) for t, w in zip(tiers, weights, strict=True)}
    candidates = []
    for i in range(n):
        tier = rng.choice(tiers) if rng.random() < 0.85 else rng.choice(PLAN_TIERS)
        low, high = TIER_BENCHMARKS[tier].cost_per_post_usd
        candidates.append(
            Candidate(
                id=i,
                handle=f"h{rng.randint(0, 2 * n)}",
                platform=rng.choice(PLATFORMS),
                followers=rng.randint(*FOLLOWERS[tier]),
                engagement_rate=round(rng.uniform(0.005, 0.09), 4) if rng.random() < 0.8 else None,
                rate=float(rng.randint(int(low), int(high))) if rng.random() < 0.8 else None,
                match_score=round(rng.random(), 2),
                audience=random_audience(rng),
            )
        )
    expected_costs = [
        c.rate
        if c.rate is not None
        else sum(TIER_BENCHMARKS[c.effective_tier].cost_per_post_usd) / 2
        for c in candidates
    ]
    budget = float(round(sum(expected_costs) * rng.uniform(0.15, 0.8)))
    matrix = None
    if rng.random() < 0.5:
        m = np.array([[rng.random() for _ in range(n)] for _ in range(n)])
        m = np.triu(m, 1)
        m = m + m.T
        m[
            np.array([[rng.random() < 0.1 for _ in range(n)] for _ in range(n)])
            & ~np.eye(n, dtype=bool)
        ] = np.nan
        m = np.where(np.isnan(m) | np.isnan(m.T), np.nan, m)
        np.fill_diagonal(m, 1.0)
        matrix = m.tolist()
    return Instance(
        candidates=tuple(candidates),
        budget=budget,
        objective=rng.choice(list(Objective)),
        mix=mix,
        overlap=matrix,
        max_overlap=rng.choice([None, 0.3, 0.5, 0.7]),
        max_share_of_tier=rng.choice([0.3, 0.5, 0.8, 1.0]),
        one_per_handle=rng.random() < 0.7,
        cost_basis=rng.choice(["expected", "high"]),
        weight_by_match=rng.random() < 0.25,
    )


@dataclass(frozen=True)
class Facts:
    """The numbers of an instance, computed independently of the optimiser."""

    costs: npt.NDArray[np.float64]
    values: npt.NDArray[np.float64]
    tiers: list[Tier]
    tier_budgets: dict[Tier, float]
    overlap: npt.NDArray[np.float64]


def facts(inst: Instance) -> Facts:
    projections = [project(c) for c in inst.candidates]
    outcome = OUTCOME_FOR[inst.objective]
    costs = np.array(
        [p.cost.expected if inst.cost_basis == "expected" else p.cost.high for p in projections]
    )
    values = np.array(
        [
            (p.engagements.expected if outcome is Outcome.ENGAGEMENTS else p.conversions.expected)
            * (c.match_score if inst.weight_by_match and c.match_score is not None else 1.0)
            for c, p in zip(inst.candidates, projections, strict=True)
        ]
    )
    tiers = [p.tier for p in projections]
    tier_budgets = {t: inst.mix.get(t.value, 0.0) * inst.budget for t in Tier}
    matrix = (
        np.array(inst.overlap)
        if inst.overlap is not None
        else overlap_matrix([c.audience for c in inst.candidates])
    )
    return Facts(costs, values, tiers, tier_budgets, matrix)


def feasible_masks(
    inst: Instance, f: Facts, relax: frozenset[str] = frozenset()
) -> npt.NDArray[np.bool_]:
    """Every subset as a row of booleans, and which of them satisfy the constraints."""
    n = len(inst.candidates)
    masks = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
    ok = masks.astype(np.float64) @ f.costs <= inst.budget
    for t in set(f.tiers):
        idx = [i for i in range(n) if f.tiers[i] is t]
        budget = f.tier_budgets[t]
        if inst.mix.get(t.value, 0.0) == 0:
            ok &= ~masks[:, idx].any(axis=1)
            continue
        if "tier" not in relax:
            ok &= masks[:, idx].astype(np.float64) @ f.costs[idx] <= budget
        fitting = sorted(f.costs[i] for i in idx if f.costs[i] <= budget)
        only_one = len(fitting) < 2 or fitting[0] + fitting[1] > budget
        if "cap" not in relax and not only_one:
            too_big = [i for i in idx if f.costs[i] > inst.max_share_of_tier * budget]
            ok &= ~masks[:, too_big].any(axis=1)
    if inst.max_overlap is not None and "overlap" not in relax:
        for i in range(n):
            for j in range(i + 1, n):
                if f.overlap[i, j] > inst.max_overlap:  # NaN compares False: unknown
                    ok &= ~(masks[:, i] & masks[:, j])
    if inst.one_per_handle and "handle" not in relax:
        by_handle: dict[str, list[int]] = {}
        for i, c in enumerate(inst.candidates):
            by_handle.setdefault(c.handle, []).append(i)
        for idx in by_handle.values():
            ok &= masks[:, idx].sum(axis=1) <= 1
    return masks[ok]


def brute_force(inst: Instance, relax: frozenset[str] = frozenset()) -> float:
    f = facts(inst)
    feasible = feasible_masks(inst, f, relax)
    return float((feasible.astype(np.float64) @ f.values).max())


def assert_constraints_hold(inst: Instance, result: Plan) -> None:
    f = facts(inst)
    index = {c.id: i for i, c in enumerate(inst.candidates)}
    chosen = [index[p.candidate.id] for p in result.chosen]
    assert math.fsum(f.costs[i] for i in chosen) <= inst.budget
    for t in Tier:
        spent = math.fsum(f.costs[i] for i in chosen if f.tiers[i] is t)
        assert spent <= f.tier_budgets[t]
    for a in chosen:
        for b in chosen:
            if a < b and inst.max_overlap is not None:
                assert not f.overlap[a, b] > inst.max_overlap
            if a != b and inst.one_per_handle:
                assert inst.candidates[a].handle != inst.candidates[b].handle


@pytest.mark.parametrize("seed", RANDOM_SEEDS)
def test_milp_equals_brute_force(seed: int) -> None:
    inst = random_instance(seed)
    result = inst.run()
    assert result.solver.status is SolverStatus.OPTIMAL
    assert result.solver.gap is None or result.solver.gap <= 1e-9
    assert result.objective_value == pytest.approx(brute_force(inst), rel=1e-9, abs=1e-9)
    assert result.objective_value == pytest.approx(sum(p.value for p in result.chosen))
    assert_constraints_hold(inst, result)
    assert len(result.chosen) + len(result.not_chosen) == len(inst.candidates)
    assert {n.code for n in result.not_chosen} <= set(REASON_CODES)
    assert all(n.reason for n in result.not_chosen) and all(p.reason for p in result.chosen)


def test_random_instances_exercise_every_constraint() -> None:
    """Relaxing each constraint changes the optimum of some instances, so the check above
    would catch an optimiser that ignored it."""
    binding: Counter[str] = Counter()
    for seed in RANDOM_SEEDS:
        inst = random_instance(seed)
        best = brute_force(inst)
        for rule in ("tier", "cap", "overlap", "handle"):
            if brute_force(inst, frozenset({rule})) > best * (1 + 1e-9) + 1e-9:
                binding[rule] += 1
    assert min(binding[r] for r in ("tier", "cap", "overlap", "handle")) >= 20, binding


def random_problem(
    seed: int, *, with_total: bool = True
) -> tuple[SelectionProblem, npt.NDArray[np.bool_]]:
    """A generic problem whose group budgets do not add up to the total (so it binds)."""
    rng = random.Random(seed)
    n = rng.randint(8, 14)
    costs = tuple(round(rng.uniform(1, 100), 2) for _ in range(n))
    values = tuple(round(rng.uniform(0, 50), 3) for _ in range(n))
    groups = tuple(rng.randrange(3) for _ in range(n))
    group_budgets = tuple(round(rng.uniform(20, 250), 2) for _ in range(3))
    budget = round(rng.uniform(50, 300), 2)
    allowed = tuple(rng.random() < 0.9 for _ in range(n))
    conflicts = tuple((i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < 0.1)
    exclusive = (tuple(rng.sample(range(n), 3)),)
    problem = SelectionProblem(
        values, costs, groups, group_budgets, budget, allowed, conflicts, exclusive
    )
    masks = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
    cost = np.array(costs)
    ok = masks.astype(np.float64) @ cost <= (budget if with_total else np.inf)
    for g in range(3):
        idx = [i for i in range(n) if groups[i] == g]
        ok &= masks[:, idx].astype(np.float64) @ cost[idx] <= group_budgets[g]
    ok &= ~masks[:, [i for i in range(n) if not allowed[i]]].any(axis=1)
    for i, j in conflicts:
        ok &= ~(masks[:, i] & masks[:, j])
    ok &= masks[:, list(exclusive[0])].sum(axis=1) <= 1
    return problem, masks[ok]


@pytest.mark.parametrize("seed", range(100))
def test_solve_equals_brute_force_with_a_binding_total(seed: int) -> None:
    problem, feasible = random_problem(seed)
    best = float((feasible.astype(np.float64) @ np.array(problem.values)).max())
    solution = solve(problem)
    assert solution.status is SolverStatus.OPTIMAL
    assert solution.objective_value == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert problem.violations(solution.selected, slack=0.0) == []


def test_random_problems_have_a_binding_total() -> None:
    def best(feasible: npt.NDArray[np.bool_], problem: SelectionProblem) -> float:
        return float((feasible.astype(np.float64) @ np.array(problem.values)).max())

    binding = 0
    for seed in range(100):
        problem, feasible = random_problem(seed)
        _, relaxed = random_problem(seed, with_total=False)
        binding += best(relaxed, problem) > best(feasible, problem) + 1e-9
    assert binding >= 20


def test_violations_reports_each_broken_rule() -> None:
    problem = SelectionProblem(
        values=(1.0, 1.0, 1.0),
        costs=(60.0, 50.0, 10.0),
        groups=(0, 0, 1),
        group_budgets=(100.0, 5.0),
        budget=100.0,
        allowed=(True, True, False),
        conflicts=((0, 1),),
        exclusive=((1, 2),),
    )
    assert len(problem.violations([0, 1, 2], slack=0.0)) == 6
    assert problem.violations([0], slack=0.0) == []


@pytest.mark.parametrize(
    ("tier_budget", "costs", "applies"),
    [
        (1000.0, [400.0, 600.0], True),  # two fit together: diversify
        (1000.0, [400.0, 700.0], False),  # the two cheapest do not fit together
        (1000.0, [300.0], False),  # a single candidate
        (1000.0, [300.0, 2000.0], False),  # only one fits at all
        (1000.0, [], False),
    ],
)
def test_cap_applies_unless_the_tier_allows_only_one(
    tier_budget: float, costs: list[float], applies: bool
) -> None:
    assert cap_applies(tier_budget, costs) is applies


def micro(
    i: int, handle: str, *, rate: float, er: float = 0.045, followers: int = 48_200, **kw: Any
) -> Candidate:
    return Candidate(
        i, handle, kw.pop("platform", "instagram"), followers, engagement_rate=er, rate=rate, **kw
    )


class TestReasons:
    def test_chosen_reason_reads_like_the_brief(self) -> None:
        c = micro(1, "lena", rate=450.0, match_score=0.71)
        result = plan([c], budget=10_000, objective="awareness", mix={"micro": 1.0})
        assert result.chosen[0].reason == (
            "micro tier, expected 2,169 engagements for USD 450 (0.21 per engagement), "
            "match score 0.71"
        )

    def test_conversion_reason_and_benchmark_note(self) -> None:
        c = Candidate(2, "tom", "tiktok", 22_000)
        result = plan([c], budget=10_000, objective="conversions", mix={"micro": 1.0})
        assert result.chosen[0].reason == (
            "micro tier, expected 41.6 conversions for USD 550 (13.23 per conversion); "
            "cost and engagement rate from micro benchmarks"
        )

    def test_over_tier_budget_and_no_tier_budget(self) -> None:
        mega = Candidate(3, "maya", "instagram", 2_000_000, engagement_rate=0.02, rate=30_000.0)
        nano = Candidate(4, "nia", "instagram", 5_000, engagement_rate=0.05, rate=50.0)
        result = plan([mega, nano], budget=40_000, objective="conversions")
        why = {n.candidate.handle: (n.code, n.reason) for n in result.not_chosen}
        assert why["maya"] == (
            "over_tier_budget",
            "costs USD 30,000, more than the whole mega budget (USD 4,000)",
        )
        assert why["nia"] == ("no_tier_budget", "the mix gives the nano tier no budget")

    def test_max_share_of_tier(self) -> None:
        cheap = [micro(i, f"c{i}", rate=100.0) for i in range(2)]
        big = micro(9, "big", rate=600.0, followers=90_000)
        result = plan([*cheap, big], budget=1_000, objective="awareness", mix={"micro": 1.0})
        assert {p.candidate.handle for p in result.chosen} == {"c0", "c1"}
        (left,) = result.not_chosen
        assert left.code == "over_max_share"
        assert left.reason == "costs USD 600, more than 50% of the micro budget (USD 1,000)"

    def test_cap_is_lifted_when_the_tier_allows_only_one(self) -> None:
        a = micro(1, "a", rate=600.0, followers=90_000)
        b = micro(2, "b", rate=700.0)
        result = plan([a, b], budget=1_000, objective="awareness", mix={"micro": 1.0})
        assert [p.candidate.handle for p in result.chosen] == ["a"]
        assert result.not_chosen[0].code == "tier_full"
        assert result.not_chosen[0].reason == (
            "the micro budget has USD 400 of USD 1,000 left; it costs USD 700"
        )

    def test_audience_overlap_names_the_other_creator(self) -> None:
        same = {"countries": {"DE": 1.0}, "interests": ["cooking"]}
        a = micro(1, "a", rate=100.0, er=0.06, audience=same)
        b = micro(2, "b", rate=100.0, er=0.05, audience=same)
        result = plan([a, b], budget=1_000, objective="awareness", mix={"micro": 1.0})
        assert [p.candidate.handle for p in result.chosen] == ["a"]
        assert result.not_chosen[0].code == "audience_overlap"
        assert result.not_chosen[0].reason == (
            "audience overlap 1.00 with chosen @a on instagram (limit 0.80)"
        )
        relaxed = plan(
            [a, b], budget=1_000, objective="awareness", mix={"micro": 1.0}, max_overlap=None
        )
        assert len(relaxed.chosen) == 2

    def test_precomputed_overlap_matrix_is_used(self) -> None:
        a = micro(1, "a", rate=100.0, er=0.06)
        b = micro(2, "b", rate=100.0, er=0.05)
        result = plan(
            [a, b], budget=1_000, objective="awareness", mix={"micro": 1.0},
            overlap=[[1.0, 0.95], [0.95, 1.0]],
        )  # fmt: skip
        assert len(result.chosen) == 1
        assert result.not_chosen[0].code == "audience_overlap"

    def test_one_creator_per_handle(self) -> None:
        ig = micro(1, "@Lena", rate=100.0, er=0.06)
        tt = micro(2, "lena", rate=100.0, er=0.05, platform="tiktok")
        result = plan([ig, tt], budget=1_000, objective="awareness", mix={"micro": 1.0})
        assert [p.candidate.id for p in result.chosen] == [1]
        assert (
            result.not_chosen[0].reason
            == "same handle as chosen @Lena on instagram (one per handle)"
        )
        both = plan(
            [ig, tt], budget=1_000, objective="awareness", mix={"micro": 1.0}, one_per_handle=False
        )
        assert len(both.chosen) == 2

    def test_no_outcome(self) -> None:
        c = micro(1, "zero", rate=100.0, er=0.0)
        result = plan([c], budget=1_000, objective="awareness", mix={"micro": 1.0})
        assert result.chosen == ()
        assert (result.not_chosen[0].code, result.not_chosen[0].reason) == (
            "no_outcome",
            "no expected engagements",
        )

    def test_not_chosen_are_listed_best_first(self) -> None:
        cs = [micro(i, f"c{i}", rate=400.0, er=0.01 * (i + 1)) for i in range(5)]
        result = plan(
            cs, budget=1_000, objective="awareness", mix={"micro": 1.0}, max_share_of_tier=1.0
        )
        values = [n.value for n in result.not_chosen]
        assert values == sorted(values, reverse=True)
        assert {p.candidate.handle for p in result.chosen} == {"c4", "c3"}


class TestPlan:
    def test_conversions_plan_spends_within_each_tier(self) -> None:
        cs = [micro(i, f"m{i}", rate=300.0 + 50 * i, er=0.03 + 0.005 * i) for i in range(10)]
        cs += [
            Candidate(20, "mid1", "youtube", 250_000, engagement_rate=0.03, rate=1_500.0),
            Candidate(21, "mid2", "youtube", 300_000, engagement_rate=0.02, rate=1_800.0),
            Candidate(22, "mega", "instagram", 3_000_000, engagement_rate=0.015, rate=900.0),
        ]
        result = plan(cs, budget=5_000, objective="conversions", max_overlap=None)
        by_tier = {t.tier: t for t in result.tiers}
        assert by_tier[Tier.MICRO].budget == pytest.approx(3_500)
        for t in result.tiers:
            assert t.cost.expected <= t.budget
        assert result.planned_cost <= 5_000
        assert result.totals.cost.expected == pytest.approx(result.planned_cost)
        assert result.is_optimal

    def test_high_cost_basis_counts_the_worst_case(self) -> None:
        tom = Candidate(2, "tom", "tiktok", 22_000)  # benchmark cost 100-550-1,000
        expected = plan([tom], budget=800, objective="conversions", mix={"micro": 1.0})
        high = plan(
            [tom],
            budget=800,
            objective="conversions",
            mix={"micro": 1.0},
            cost_basis=CostBasis.HIGH,
        )
        assert len(expected.chosen) == 1 and expected.chosen[0].cost == 550
        assert high.chosen == ()
        assert high.not_chosen[0].code == "over_tier_budget"

    def test_weight_by_match(self) -> None:
        a = micro(1, "a", rate=500.0, er=0.06, match_score=0.2)
        b = micro(2, "b", rate=500.0, er=0.05, match_score=0.9)
        kw: dict[str, Any] = {"budget": 600, "objective": "awareness", "mix": {"micro": 1.0}}
        assert [p.candidate.handle for p in plan([a, b], **kw).chosen] == ["a"]
        weighted = plan([a, b], weight_by_match=True, **kw)
        assert [p.candidate.handle for p in weighted.chosen] == ["b"]
        assert weighted.objective_value == pytest.approx(48_200 * 0.05 * 0.9)

    def test_roi_when_a_value_per_conversion_is_given(self) -> None:
        c = micro(1, "a", rate=450.0)
        result = plan(
            [c], budget=1_000, objective="conversions", mix={"micro": 1.0}, value_per_conversion=50
        )
        assert result.totals.roi is not None
        assert result.totals.roi.expected == pytest.approx((2169 * 0.024 * 50 - 450) / 450)

    def test_empty_candidates(self) -> None:
        result = plan([], budget=1_000, objective="pr")
        assert result.chosen == () and result.is_optimal and result.objective_value == 0

    def test_time_limit_is_reported_and_constraints_still_hold(self) -> None:
        rng = random.Random(7)
        n = 400
        cs = [
            micro(
                i, f"c{i}", rate=float(rng.randint(100, 1000)), er=round(rng.uniform(0.02, 0.08), 4)
            )
            for i in range(n)
        ]
        m = np.triu(np.array([[rng.random() for _ in range(n)] for _ in range(n)]), 1)
        matrix = m + m.T
        np.fill_diagonal(matrix, 1.0)
        inst = Instance(
            tuple(cs),
            60_000.0,
            Objective.AWARENESS,
            {"micro": 1.0},
            matrix.tolist(),
            0.98,
            1.0,
            True,
            "expected",
            False,
        )
        result = inst.run(time_limit=1e-3)
        assert result.solver.status is SolverStatus.TIME_LIMIT
        assert not result.is_optimal
        assert_constraints_hold(inst, result)

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"budget": 0}, "budget"),
            ({"budget": float("nan")}, "budget"),
            ({"objective": "sales"}, "objective"),
            ({"max_overlap": 1.5}, "max_overlap"),
            ({"max_share_of_tier": 0}, "max_share_of_tier"),
            ({"cost_basis": "low"}, "cost_basis"),
            ({"time_limit": 0}, "time_limit"),
            ({"mix": {"micro": 0.5}}, "mix"),
            ({"currency": "EUR"}, "fx"),
            ({"weight_by_match": True}, "candidates.2.match_score"),
            ({"overlap": [[1.0]]}, "overlap"),
            ({"value_per_conversion": -1.0}, "value_per_conversion"),
        ],
    )
    def test_bad_input_names_the_field(self, kwargs: dict[str, Any], field: str) -> None:
        cs = [micro(1, "a", rate=100.0, match_score=0.5), Candidate(2, "b", "instagram", 20_000)]
        args: dict[str, Any] = {"budget": 1_000, "objective": "awareness", **kwargs}
        with pytest.raises(InvalidInputError) as info:
            plan(cs, **args)
        assert info.value.errors[0].field == field

    def test_duplicate_ids_are_rejected(self) -> None:
        with pytest.raises(InvalidInputError) as info:
            plan([micro(1, "a", rate=1.0), micro(1, "b", rate=1.0)], budget=10, objective="pr")
        assert info.value.errors[0].field == "candidates.1"

    def test_other_currency_with_fx(self) -> None:
        tom = Candidate(2, "tom", "tiktok", 22_000)
        result = plan(
            [tom], budget=1_000, objective="conversions", mix={"micro": 1.0}, currency="EUR", fx=0.9
        )
        assert result.chosen[0].cost == pytest.approx(495.0)
        assert "EUR 495" in result.chosen[0].reason
