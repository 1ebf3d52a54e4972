"""Choose the creators of a campaign: an exact 0/1 integer programme solved with HiGHS.

:func:`plan` is the entry point. It projects every candidate
(:mod:`planner.projections`), splits the budget across tiers (:mod:`planner.mixes`), and
solves (:func:`solve`)::

    maximise    sum_i v_i x_i                       x_i in {0, 1}
    subject to  sum_i c_i x_i <= B                  (total budget)
                sum_{i in t} c_i x_i <= s_t B       (each tier's share of the budget)
                x_i = 0 if c_i > m s_t B            (max share of tier; lifted when the tier
                                                     budget cannot pay its two cheapest)
                x_i + x_j <= 1 if overlap(i, j) > max_overlap
                sum_{i with handle h} x_i <= 1      (optional: one creator per handle)

where v_i is the expected outcome of the objective (engagements or conversions, optionally
times the match score) and c_i the expected (or high) cost. Every chosen creator gets a
plain-language reason, every other candidate the first reason found why not. The model and
the reasons are documented in ``docs/planner.md``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from core.errors import InvalidInputError
from core.tiers import Tier
from planner.formatting import count, money, per_unit, percent
from planner.mixes import DEFAULT_MIXES, OUTCOME_FOR, Objective, Outcome, TierMix, parse_objective
from planner.overlap import overlap_matrix, validate_overlap_matrix
from planner.projections import (
    Candidate,
    OutcomeModel,
    Projection,
    Range,
    Source,
    Totals,
    project,
    ratio_range,
    totals,
)

__all__ = [
    "REASON_CODES",
    "CostBasis",
    "NotChosen",
    "Plan",
    "PlanSettings",
    "Planned",
    "SelectionProblem",
    "Solution",
    "SolverStatus",
    "TierSummary",
    "cap_applies",
    "plan",
    "solve",
]

# Relative slack when checking a solver's selection against the budgets exactly.
_CHECK_SLACK = 1e-12
_OBJECTIVE_SCALE = 1e6
# How often a selection that breaks a budget by a rounding error is re-solved with a
# tightened budget before giving up.
_MAX_RESOLVES = 5


# Why a candidate was left out, in the order they are checked (docs/planner.md has a table).
# The shares of a mix sum to 1, so a creator that fits its tier's remaining budget always fits
# the total one: "tier_full" covers both.
REASON_CODES: tuple[str, ...] = (
    "no_tier_budget",
    "over_tier_budget",
    "over_max_share",
    "no_outcome",
    "same_handle",
    "audience_overlap",
    "tier_full",
    "solver_stopped",
    "better_combination",
)


class SolverStatus(StrEnum):
    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"
    ERROR = "error"


class CostBasis(StrEnum):
    """Which cost the budget constraints use: the expected one, or the high (worst) case."""

    EXPECTED = "expected"
    HIGH = "high"


@dataclass(frozen=True)
class SelectionProblem:
    """A 0/1 problem: maximise ``values`` within a total budget and per-group budgets.

    ``groups[i]`` indexes ``group_budgets``; items with ``allowed[i]`` false are fixed to 0;
    ``conflicts`` are pairs that cannot both be chosen; each tuple of ``exclusive`` allows at
    most one of its items.
    """

    values: tuple[float, ...]
    costs: tuple[float, ...]
    groups: tuple[int, ...]
    group_budgets: tuple[float, ...]
    budget: float
    allowed: tuple[bool, ...]
    conflicts: tuple[tuple[int, int], ...] = ()
    exclusive: tuple[tuple[int, ...], ...] = ()

    def violations(self, selected: Sequence[int], *, slack: float = _CHECK_SLACK) -> list[str]:
        """What ``selected`` breaks, checked exactly (up to a relative ``slack``)."""
        chosen = set(selected)
        problems: list[str] = []
        total = math.fsum(self.costs[i] for i in chosen)
        if total > self.budget * (1 + slack):
            problems.append(f"total cost {total} > budget {self.budget}")
        for g, cap in enumerate(self.group_budgets):
            spent = math.fsum(self.costs[i] for i in chosen if self.groups[i] == g)
            if spent > cap * (1 + slack):
                problems.append(f"group {g} cost {spent} > {cap}")
        problems += [f"item {i} is not allowed" for i in chosen if not self.allowed[i]]
        problems += [f"items {i} and {j} conflict" for i, j in self.conflicts if {i, j} <= chosen]
        problems += [
            f"{len(s & chosen)} of {s}" for s in map(set, self.exclusive) if len(s & chosen) > 1
        ]
        return problems


@dataclass(frozen=True)
class Solution:
    """The solver's answer: chosen item indices, their total value, status and MIP gap."""

    selected: tuple[int, ...]
    objective_value: float
    status: SolverStatus
    gap: float | None
    message: str
    seconds: float


def solve(problem: SelectionProblem, *, time_limit: float = 10.0) -> Solution:
    """Solve ``problem`` exactly with ``scipy.optimize.milp`` (HiGHS, relative gap 0).

    On a time limit the best selection found so far is returned with status ``time_limit``
    (empty when none was found). A selection that breaks a budget by a floating-point
    tolerance of the solver is re-solved with that budget tightened, so the answer always
    satisfies the constraints exactly.
    """
    started = time.perf_counter()
    n = len(problem.values)
    allowed = [i for i in range(n) if problem.allowed[i]]
    if not allowed:
        return Solution((), 0.0, SolverStatus.OPTIMAL, 0.0, "nothing to choose", 0.0)

    budget_ub = 1.0
    group_ub = [1.0] * len(problem.group_budgets)
    for _attempt in range(_MAX_RESOLVES + 1):
        selected, status, gap, message = _solve_once(problem, budget_ub, group_ub, time_limit)
        broken = _tighten(problem, selected, budget_ub, group_ub)
        if broken is None:
            break
        budget_ub, group_ub = broken
    else:  # pragma: no cover - HiGHS would have to err by more than its tolerance 5 times
        raise RuntimeError(f"the solver keeps breaking the budgets: {problem.violations(selected)}")
    value = math.fsum(problem.values[i] for i in selected)
    return Solution(selected, value, status, gap, message, time.perf_counter() - started)


def _solve_once(
    problem: SelectionProblem, budget_ub: float, group_ub: list[float], time_limit: float
) -> tuple[tuple[int, ...], SolverStatus, float | None, str]:
    n = len(problem.values)
    costs = np.asarray(problem.costs, dtype=np.float64)
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    upper: list[float] = []

    def add_row(items: Sequence[int], coefficients: Sequence[float], ub: float) -> None:
        r = len(upper)
        rows.extend([r] * len(items))
        cols.extend(items)
        data.extend(coefficients)
        upper.append(ub)

    allowed = [i for i in range(n) if problem.allowed[i]]
    # Rows are scaled by their budget so every coefficient is a fraction of it.
    add_row(allowed, [costs[i] / problem.budget for i in allowed], budget_ub)
    for g, cap in enumerate(problem.group_budgets):
        members = [i for i in allowed if problem.groups[i] == g]
        if members:
            scale = cap if cap > 0 else 1.0
            add_row(members, [costs[i] / scale for i in members], group_ub[g] * cap / scale)
    for i, j in problem.conflicts:
        if problem.allowed[i] and problem.allowed[j]:
            add_row([i, j], [1.0, 1.0], 1.0)
    for group in problem.exclusive:
        members = [i for i in group if problem.allowed[i]]
        if len(members) > 1:
            add_row(members, [1.0] * len(members), 1.0)

    matrix = coo_array((data, (rows, cols)), shape=(len(upper), n)).tocsr()
    values = np.asarray(problem.values, dtype=np.float64)
    # HiGHS stops within an absolute gap of 1e-6 (scipy does not expose it): with the largest
    # value at 1e6 that gap is 1e-12 of it, so "optimal" means optimal for any real plan.
    scale = (float(np.max(np.abs(values))) or 1.0) / _OBJECTIVE_SCALE
    result = milp(
        c=-values / scale,
        constraints=LinearConstraint(matrix, -np.inf, np.asarray(upper)),
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), np.asarray(problem.allowed, dtype=np.float64)),
        options={"time_limit": time_limit, "mip_rel_gap": 0.0, "disp": False},
    )
    status = {
        0: SolverStatus.OPTIMAL,
        1: SolverStatus.TIME_LIMIT,
        2: SolverStatus.INFEASIBLE,
    }.get(int(result.status), SolverStatus.ERROR)
    x: npt.NDArray[np.float64] | None = result.x
    selected = () if x is None else tuple(int(i) for i in np.flatnonzero(x > 0.5))
    gap = getattr(result, "mip_gap", None)
    return selected, status, None if gap is None else float(gap), str(result.message)


def _tighten(
    problem: SelectionProblem,
    selected: tuple[int, ...],
    budget_ub: float,
    group_ub: list[float],
) -> tuple[float, list[float]] | None:
    """Tightened right-hand sides when ``selected`` breaks a budget exactly; None if it fits."""
    if not problem.violations(selected):
        return None
    costs = problem.costs
    total = math.fsum(costs[i] for i in selected)
    if total > problem.budget:
        budget_ub -= (total - problem.budget) / problem.budget + 1e-9
    group_ub = list(group_ub)
    for g, cap in enumerate(problem.group_budgets):
        spent = math.fsum(costs[i] for i in selected if problem.groups[i] == g)
        if spent > cap and cap > 0:
            group_ub[g] -= (spent - cap) / cap + 1e-9
    return budget_ub, group_ub


def cap_applies(tier_budget: float, tier_costs: Sequence[float]) -> bool:
    """Whether the max-share-of-tier rule applies to a tier.

    It applies unless the tier budget allows only one creator: fewer than two of the tier's
    candidates fit in its budget, or the two cheapest together do not.
    """
    fitting = sorted(c for c in tier_costs if c <= tier_budget)
    return len(fitting) >= 2 and fitting[0] + fitting[1] <= tier_budget


@dataclass(frozen=True)
class PlanSettings:
    """The knobs a plan was made with, kept on the plan for the report."""

    max_overlap: float | None
    max_share_of_tier: float
    one_per_handle: bool
    cost_basis: CostBasis
    weight_by_match: bool
    time_limit: float
    fx: float


@dataclass(frozen=True)
class Planned:
    """A chosen creator: its projection, the cost and value the optimiser used, and why."""

    candidate: Candidate
    projection: Projection
    cost: float
    value: float
    reason: str


@dataclass(frozen=True)
class NotChosen:
    """A candidate left out: ``code`` is one of :data:`REASON_CODES`, ``reason`` a sentence."""

    candidate: Candidate
    projection: Projection
    cost: float
    value: float
    code: str
    reason: str


@dataclass(frozen=True)
class TierSummary:
    """One tier of a plan: its share and budget, and what the chosen creators of it cost."""

    tier: Tier
    share: float
    budget: float
    candidates: int
    chosen: int
    cost: Range
    engagements: Range
    conversions: Range
    cost_per_engagement: Range | None
    cost_per_acquisition: Range | None

    def outcome(self, outcome: Outcome) -> Range:
        return self.engagements if outcome is Outcome.ENGAGEMENTS else self.conversions


@dataclass(frozen=True)
class Plan:
    """The creators chosen for a campaign, and everything needed to explain the choice."""

    objective: Objective
    outcome: Outcome
    budget: float
    currency: str
    mix: TierMix
    settings: PlanSettings
    chosen: tuple[Planned, ...]
    not_chosen: tuple[NotChosen, ...]
    tiers: tuple[TierSummary, ...]
    totals: Totals
    objective_value: float
    solver: Solution
    value_per_conversion: float | None = None

    @property
    def is_optimal(self) -> bool:
        return self.solver.status is SolverStatus.OPTIMAL

    @property
    def planned_cost(self) -> float:
        """The cost the budget constraints counted (expected or high, per the cost basis)."""
        return math.fsum(p.cost for p in self.chosen)


def _handle_key(handle: str) -> str:
    return handle.strip().lstrip("@").casefold()


def _check_settings(
    budget: float, max_overlap: float | None, max_share_of_tier: float, time_limit: float
) -> None:
    if isinstance(budget, bool) or not (math.isfinite(budget) and budget > 0):
        raise InvalidInputError.for_field("budget", "must be > 0", value=budget)
    if max_overlap is not None and not (0 <= max_overlap <= 1):
        raise InvalidInputError.for_field("max_overlap", "must be in [0, 1]", value=max_overlap)
    if not (0 < max_share_of_tier <= 1):
        raise InvalidInputError.for_field(
            "max_share_of_tier", "must be in (0, 1]", value=max_share_of_tier
        )
    if not (time_limit > 0):
        raise InvalidInputError.for_field("time_limit", "must be > 0 seconds", value=time_limit)


def _resolve_fx(candidates: Sequence[Candidate], currency: str, fx: float | None) -> float:
    if fx is not None:
        return fx
    if currency.upper() == "USD":
        return 1.0
    missing = [str(c.id) for c in candidates if c.rate is None]
    if missing:
        raise InvalidInputError.for_field(
            "fx",
            f"needed to convert the USD cost benchmarks to {currency} for the candidates "
            f"without a rate ({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''})",
        )
    return 1.0


def plan(
    candidates: Sequence[Candidate],
    *,
    budget: float,
    objective: Objective | str,
    mix: TierMix | Mapping[str, float] | None = None,
    currency: str = "USD",
    fx: float | None = None,
    overlap: object = None,
    max_overlap: float | None = 0.8,
    max_share_of_tier: float = 0.5,
    one_per_handle: bool = True,
    cost_basis: CostBasis | str = CostBasis.EXPECTED,
    weight_by_match: bool = False,
    value_per_conversion: float | None = None,
    model: OutcomeModel | None = None,
    time_limit: float = 10.0,
) -> Plan:
    """Choose the creators among ``candidates`` that maximise the objective's outcome.

    Args:
        budget: the campaign budget in ``currency``.
        objective: one of :class:`~planner.mixes.Objective`; decides the outcome maximised
            (:data:`~planner.mixes.OUTCOME_FOR`) and the default mix.
        mix: the tier shares of the budget; default :data:`~planner.mixes.DEFAULT_MIXES` of
            the objective (use :func:`~planner.mixes.mix_for` for an organisation's override).
        fx: units of ``currency`` per US dollar for the benchmark costs; required when
            ``currency`` is not USD and a candidate has no rate.
        overlap: an ``(n, n)`` audience-overlap matrix in candidate order (NaN = unknown);
            default computed from the candidates' audiences (:mod:`planner.overlap`).
        max_overlap: two creators whose overlap exceeds it are never both chosen; None
            turns the rule off.
        max_share_of_tier: no creator may cost more than this share of its tier's budget,
            unless the tier budget cannot pay its two cheapest candidates.
        one_per_handle: at most one creator per handle (the same person on two platforms).
        cost_basis: ``expected`` or ``high``: which cost the budgets count.
        weight_by_match: multiply each outcome by the candidate's match score.
        value_per_conversion: when given, the totals include an ROI range.
        model: a fitted estimator used before the benchmarks (see ``project``).
        time_limit: seconds for the solver; on expiry the plan says ``time_limit``.

    Raises:
        InvalidInputError: naming the field at fault.
    """
    _check_settings(budget, max_overlap, max_share_of_tier, time_limit)
    goal = parse_objective(objective)
    outcome = OUTCOME_FOR[goal]
    try:
        basis = CostBasis(cost_basis)
    except ValueError:
        raise InvalidInputError.for_field(
            "cost_basis", "must be 'expected' or 'high'", value=cost_basis
        ) from None
    if mix is None:
        tier_mix = DEFAULT_MIXES[goal]
    elif isinstance(mix, TierMix):
        tier_mix = mix
    else:
        tier_mix = TierMix.of(mix)
    seen: set[object] = set()
    for c in candidates:
        if c.id in seen:
            raise InvalidInputError.for_field(f"candidates.{c.id}", "duplicate candidate id")
        seen.add(c.id)
        if weight_by_match and c.match_score is None:
            raise InvalidInputError.for_field(
                f"candidates.{c.id}.match_score", "required when weight_by_match is set"
            )
    rate_fx = _resolve_fx(candidates, currency, fx)
    projections = [project(c, model=model, fx=rate_fx) for c in candidates]
    n = len(candidates)
    if overlap is None:
        matrix = overlap_matrix([c.audience for c in candidates])
    else:
        matrix = validate_overlap_matrix(overlap, n)

    tiers = list(Tier)
    tier_index = {t: k for k, t in enumerate(tiers)}
    tier_budgets = tuple(tier_mix.share(t) * budget for t in tiers)
    costs = tuple(
        p.cost.expected if basis is CostBasis.EXPECTED else p.cost.high for p in projections
    )
    values = tuple(
        (p.engagements.expected if outcome is Outcome.ENGAGEMENTS else p.conversions.expected)
        * (c.match_score if weight_by_match and c.match_score is not None else 1.0)
        for c, p in zip(candidates, projections, strict=True)
    )
    groups = tuple(tier_index[p.tier] for p in projections)
    capped = {
        t: cap_applies(tier_budgets[k], [costs[i] for i in range(n) if groups[i] == k])
        for k, t in enumerate(tiers)
    }

    excluded: dict[int, tuple[str, str]] = {}
    for i, p in enumerate(projections):
        tier_budget = tier_budgets[groups[i]]
        name = p.tier.value
        if tier_mix.share(p.tier) == 0:
            excluded[i] = ("no_tier_budget", f"the mix gives the {name} tier no budget")
        elif costs[i] > tier_budget:
            excluded[i] = (
                "over_tier_budget",
                f"costs {money(costs[i], currency)}, more than the whole {name} budget "
                f"({money(tier_budget, currency)})",
            )
        elif capped[p.tier] and costs[i] > max_share_of_tier * tier_budget:
            excluded[i] = (
                "over_max_share",
                f"costs {money(costs[i], currency)}, more than {percent(max_share_of_tier)} "
                f"of the {name} budget ({money(tier_budget, currency)})",
            )

    conflicts: list[tuple[int, int]] = []
    if max_overlap is not None:
        rows, cols = np.nonzero(np.triu(np.nan_to_num(matrix, nan=0.0) > max_overlap, k=1))
        conflicts = [(int(i), int(j)) for i, j in zip(rows, cols, strict=True)]
    by_handle: dict[str, list[int]] = {}
    for i, c in enumerate(candidates):
        by_handle.setdefault(_handle_key(c.handle), []).append(i)
    exclusive = tuple(tuple(g) for g in by_handle.values() if len(g) > 1) if one_per_handle else ()

    problem = SelectionProblem(
        values=values,
        costs=costs,
        groups=groups,
        group_budgets=tier_budgets,
        budget=float(budget),
        allowed=tuple(i not in excluded for i in range(n)),
        conflicts=tuple(conflicts),
        exclusive=exclusive,
    )
    solution = solve(problem, time_limit=time_limit)
    selected = set(solution.selected)

    settings = PlanSettings(
        max_overlap=max_overlap,
        max_share_of_tier=max_share_of_tier,
        one_per_handle=one_per_handle,
        cost_basis=basis,
        weight_by_match=weight_by_match,
        time_limit=time_limit,
        fx=rate_fx,
    )
    chosen = tuple(
        Planned(
            candidates[i],
            projections[i],
            costs[i],
            values[i],
            _chosen_reason(candidates[i], projections[i], outcome, currency),
        )
        for i in sorted(selected, key=lambda i: (groups[i], -values[i]))
    )
    context = _Context(
        candidates=candidates,
        projections=projections,
        problem=problem,
        overlap=matrix,
        selected=selected,
        excluded=excluded,
        outcome=outcome,
        currency=currency,
        settings=settings,
        status=solution.status,
    )
    not_chosen = tuple(
        context.why_not(i) for i in sorted(set(range(n)) - selected, key=lambda i: -values[i])
    )
    summaries = tuple(
        _tier_summary(t, tier_mix.share(t), tier_budgets[k], k, groups, projections, selected)
        for k, t in enumerate(tiers)
        if tier_mix.share(t) > 0 or k in groups
    )
    return Plan(
        objective=goal,
        outcome=outcome,
        budget=float(budget),
        currency=currency,
        mix=tier_mix,
        settings=settings,
        chosen=chosen,
        not_chosen=not_chosen,
        tiers=summaries,
        totals=totals(
            (projections[i] for i in sorted(selected)), value_per_conversion=value_per_conversion
        ),
        objective_value=solution.objective_value,
        solver=solution,
        value_per_conversion=value_per_conversion,
    )


def _tier_summary(
    tier: Tier,
    share: float,
    tier_budget: float,
    k: int,
    groups: tuple[int, ...],
    projections: Sequence[Projection],
    selected: set[int],
) -> TierSummary:
    members = [i for i, g in enumerate(groups) if g == k]
    picked = [projections[i] for i in members if i in selected]
    sums = totals(picked)
    return TierSummary(
        tier=tier,
        share=share,
        budget=tier_budget,
        candidates=len(members),
        chosen=len(picked),
        cost=sums.cost,
        engagements=sums.engagements,
        conversions=sums.conversions,
        cost_per_engagement=ratio_range(sums.cost, sums.engagements),
        cost_per_acquisition=ratio_range(sums.cost, sums.conversions),
    )


def _benchmarked(p: Projection) -> list[str]:
    parts = []
    if p.cost_source is Source.BENCHMARKS:
        parts.append("cost")
    if p.engagement_source is Source.BENCHMARKS:
        parts.append("engagement rate")
    return parts


def _chosen_reason(c: Candidate, p: Projection, outcome: Outcome, currency: str) -> str:
    if outcome is Outcome.ENGAGEMENTS:
        expected, unit, plural, ratio = (
            p.engagements.expected, "engagement", "engagements", p.cost_per_engagement
        )  # fmt: skip
    else:
        expected, unit, plural, ratio = (
            p.conversions.expected, "conversion", "conversions", p.cost_per_acquisition
        )  # fmt: skip
    text = f"{p.tier.value} tier, expected {count(expected)} {plural} for "
    text += f"{money(p.cost.expected, currency)}"
    if ratio is not None:
        text += f" ({per_unit(ratio.expected)} per {unit})"
    if c.match_score is not None:
        text += f", match score {c.match_score:.2f}"
    benchmarked = _benchmarked(p)
    if benchmarked:
        text += f"; {' and '.join(benchmarked)} from {p.tier.value} benchmarks"
    return text


@dataclass(frozen=True)
class _Context:
    """What :meth:`why_not` needs to explain a left-out candidate."""

    candidates: Sequence[Candidate]
    projections: Sequence[Projection]
    problem: SelectionProblem
    overlap: npt.NDArray[np.float64]
    selected: set[int]
    excluded: dict[int, tuple[str, str]]
    outcome: Outcome
    currency: str
    settings: PlanSettings
    status: SolverStatus

    def why_not(self, i: int) -> NotChosen:
        code, reason = self._reason(i)
        return NotChosen(
            self.candidates[i],
            self.projections[i],
            self.problem.costs[i],
            self.problem.values[i],
            code,
            reason,
        )

    def _name(self, j: int) -> str:
        return f"{self.candidates[j].label} on {self.candidates[j].platform}"

    def _reason(self, i: int) -> tuple[str, str]:
        if i in self.excluded:
            return self.excluded[i]
        problem, money_ = self.problem, self.currency
        if problem.values[i] <= 0:
            return "no_outcome", f"no expected {self.outcome.value}"
        for group in problem.exclusive:
            if i in group:
                for j in group:
                    if j in self.selected:
                        other = self._name(j)
                        return "same_handle", f"same handle as chosen {other} (one per handle)"
        limit = self.settings.max_overlap
        for a, b in problem.conflicts:
            if i in (a, b):
                j = b if a == i else a
                if j in self.selected:
                    return (
                        "audience_overlap",
                        f"audience overlap {self.overlap[i, j]:.2f} with chosen "
                        f"{self._name(j)} (limit {limit:.2f})",
                    )
        cost = problem.costs[i]
        g = problem.groups[i]
        tier_left = problem.group_budgets[g] - math.fsum(
            problem.costs[j] for j in self.selected if problem.groups[j] == g
        )
        name = self.projections[i].tier.value
        if cost > tier_left:
            return (
                "tier_full",
                f"the {name} budget has {money(max(0.0, tier_left), money_)} of "
                f"{money(problem.group_budgets[g], money_)} left; it costs {money(cost, money_)}",
            )
        if self.status is not SolverStatus.OPTIMAL:
            return "solver_stopped", f"the solver stopped early ({self.status.value})"
        return (
            "better_combination",
            f"a combination without it gives more expected {self.outcome.value}",
        )
