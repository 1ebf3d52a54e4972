"""The SVG charts: well-formed, accessible, escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from planner.charts import (
    Series,
    bar_chart,
    budget_vs_outcome_chart,
    cost_per_outcome_chart,
    line_chart,
    roi_over_time_chart,
    tier_mix_chart,
)
from planner.mixes import Outcome
from planner.optimizer import Plan, plan
from planner.projections import Candidate

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def sample_plan() -> Plan:
    cs = [
        Candidate(1, "lena", "instagram", 48_200, engagement_rate=0.045, rate=450.0),
        Candidate(2, "tom", "tiktok", 22_000),
        Candidate(3, "mid", "youtube", 250_000, engagement_rate=0.03, rate=3_000.0),
    ]
    return plan(cs, budget=20_000, objective="conversions")


def test_bar_chart_is_accessible_svg() -> None:
    svg = bar_chart(
        title="Spend",
        description="Budget by tier",
        categories=["micro", "mega"],
        series=[Series("budget", (700.0, 100.0)), Series("planned", (650.0, 0.0))],
        x_label="tier",
        y_label="USD",
        chart_id="spend",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "spend-title spend-desc"
    assert root.find(f"{SVG}title").text == "Spend"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Budget by tier"  # type: ignore[union-attr]
    assert {"tier", "USD", "micro", "mega", "budget", "planned"} <= set(texts(root))
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 4
    tips = [b.find(f"{SVG}title").text for b in bars]  # type: ignore[union-attr]
    assert "micro, budget: 700" in tips
    heights = {t: float(b.get("height", "0")) for t, b in zip(tips, bars, strict=True)}
    assert heights["micro, budget: 700"] > heights["mega, budget: 100"] > 0
    assert heights["mega, planned: 0"] == 0


def test_text_is_escaped() -> None:
    evil = '<script>alert("x")</script> & co'
    svg = bar_chart(
        title=evil, description=evil, categories=[evil], series=[Series(evil, (1.0,))],
        x_label=evil, y_label=evil,
    )  # fmt: skip
    assert "<script" not in svg
    root = parse(svg)
    assert evil in texts(root)
    assert root.get("id") == "script-alert-x-script-co"


@pytest.mark.parametrize(
    ("series", "message"),
    [([Series("a", (1.0,))], "has 1 values"), ([Series("a", (1.0, -1.0))], ">= 0")],
)
def test_bar_chart_rejects_bad_series(series: list[Series], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bar_chart(
            title="t",
            description="d",
            categories=["a", "b"],
            series=series,
            x_label="x",
            y_label="y",
        )


def test_empty_chart_says_no_data() -> None:
    root = parse(
        bar_chart(title="t", description="d", categories=[], series=[], x_label="x", y_label="y")
    )
    assert "No data" in texts(root)


@pytest.mark.parametrize("value", [5e-324, 1e-300, 0.001])
def test_a_bar_of_any_size_gets_an_axis(value: float) -> None:
    """A plan with a budget of 5e-324 drew bars whose axis span, divided by 5, was 0: its
    logarithm was a 500 from POST /v1/campaigns/{id}/plan."""
    svg = bar_chart(
        title="t",
        description="d",
        categories=["a"],
        series=[Series("s", (value,))],
        x_label="x",
        y_label="y",
    )
    assert parse(svg).find(f"{SVG}title") is not None


def test_line_chart_handles_negative_values() -> None:
    svg = roi_over_time_chart([("W1", -0.4), ("W2", 0.1), ("W3", 0.6)])
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "ROI over time"  # type: ignore[union-attr]
    assert {"-40%", "0%", "60%", "W1", "W3", "period", "ROI"} <= set(texts(root))
    points = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]  # type: ignore[union-attr]
    assert points == ["W1, ROI: -40%", "W2, ROI: 10%", "W3, ROI: 60%"]
    ys = [float(c.get("cy", "0")) for c in root.iter(f"{SVG}circle")]
    assert ys[0] > ys[1] > ys[2]  # higher ROI is drawn higher up


def test_line_chart_rejects_non_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        line_chart(
            title="t",
            description="d",
            x_labels=["a"],
            series=[Series("s", (float("nan"),))],
            x_label="x",
            y_label="y",
        )


def test_plan_charts(sample_plan: Plan) -> None:
    mix = parse(tier_mix_chart(sample_plan))
    assert {"micro", "mid", "mega"} <= set(texts(mix))
    tips = [t.text for t in mix.iter(f"{SVG}title")]
    assert "micro, budget: USD 14,000" in tips
    assert "mid, planned: USD 3,000" in tips
    shares = parse(budget_vs_outcome_chart(sample_plan))
    assert "micro, share of budget: 70%" in [t.text for t in shares.iter(f"{SVG}title")]
    cpe = parse(cost_per_outcome_chart(sample_plan))
    assert cpe.find(f"{SVG}title").text == "Cost per engagement by tier"  # type: ignore[union-attr]
    assert "mega" not in texts(cpe)  # no mega creator chosen: no bar
    cpa = parse(cost_per_outcome_chart(sample_plan, outcome=Outcome.CONVERSIONS))
    assert cpa.get("id") == "cost-per-conversion"
