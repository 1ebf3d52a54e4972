"""docs/planner.md as tests: its tables must match the code."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from core.tiers import TIER_BENCHMARKS, Tier
from planner.mixes import DEFAULT_MIXES, OUTCOME_FOR, Objective
from planner.optimizer import REASON_CODES, plan
from planner.projections import PLATFORM_ENGAGEMENT_MODIFIERS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "planner.md").read_text(encoding="utf-8")


def table_rows(first_cell: str) -> list[list[str]]:
    rows = []
    for line in DOC.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_cell:
            rows.append(cells)
    return rows


@pytest.mark.parametrize("objective", list(Objective))
def test_mix_table_matches_the_defaults(objective: Objective) -> None:
    (row,) = [r for r in table_rows(f"`{objective.value}`") if len(r) == 7]
    expected = [f"{round(s * 100)}%" for _, s in DEFAULT_MIXES[objective].shares]
    assert row[1:] == expected


def test_mix_table_header_lists_the_tiers_in_order() -> None:
    (header,) = [r for r in table_rows("objective") if len(r) == 7]
    assert header[1:] == [t.value for t in Tier]


@pytest.mark.parametrize("objective", list(Objective))
def test_outcome_table(objective: Objective) -> None:
    (row,) = [r for r in table_rows(f"`{objective.value}`") if len(r) == 2]
    assert row[1] == OUTCOME_FOR[objective].value


@pytest.mark.parametrize("tier", list(Tier))
def test_benchmark_table(tier: Tier) -> None:
    (row,) = table_rows(tier.value)
    b = TIER_BENCHMARKS[tier]

    def pct(x: float) -> str:
        return f"{x * 100:g}%"

    assert row[2] == f"{pct(b.engagement_rate[0])}-{pct(b.engagement_rate[1])}"
    assert row[3] == f"{b.cost_per_post_usd[0]:,.0f}-{b.cost_per_post_usd[1]:,.0f}"
    assert row[4] == pct(b.conversion_rate)


def test_platform_modifiers_are_documented() -> None:
    for platform, modifier in PLATFORM_ENGAGEMENT_MODIFIERS.items():
        assert re.search(rf"\b{platform} {modifier}\b", DOC), platform


@pytest.mark.parametrize("code", REASON_CODES)
def test_every_reason_code_is_documented(code: str) -> None:
    assert table_rows(f"`{code}`"), code


@pytest.mark.parametrize(
    "keyword", [p for p in inspect.signature(plan).parameters if p != "candidates"]
)
def test_every_plan_keyword_is_documented(keyword: str) -> None:
    assert table_rows(f"`{keyword}`"), keyword
