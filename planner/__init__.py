"""Campaign planning: which creators to book for a budget and an objective, and why.

This package owns the objective -> outcome mapping and the budget split across tiers
(``mixes``), per-creator cost and outcome projections with ranges (``projections``), audience
overlap (``overlap``), the exact integer programme that chooses the creators and explains
each choice (``optimizer``, entry point :func:`plan`), and dependency-free SVG charts and
HTML/CSV/JSON reports of a plan (``charts``, ``report``). It is a pure library: it depends on
``core`` only (plus numpy and scipy), never on the database or the web layer.
"""

from __future__ import annotations

from planner.mixes import DEFAULT_MIXES, OUTCOME_FOR, Objective, Outcome, TierMix, mix_for
from planner.optimizer import CostBasis, NotChosen, Plan, Planned, SolverStatus, plan
from planner.projections import Candidate, Projection, Range, Source, Totals, project

__all__ = [
    "DEFAULT_MIXES",
    "OUTCOME_FOR",
    "Candidate",
    "CostBasis",
    "NotChosen",
    "Objective",
    "Outcome",
    "Plan",
    "Planned",
    "Projection",
    "Range",
    "SolverStatus",
    "Source",
    "TierMix",
    "Totals",
    "mix_for",
    "plan",
    "project",
]
