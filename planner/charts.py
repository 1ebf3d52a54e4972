"""Small inline SVG charts of a plan, without dependencies.

Each chart is one ``<svg role="img">`` element with a ``<title>`` and a ``<desc>`` (named by
``aria-labelledby``), a title, axis labels and a legend drawn as text, and a ``<title>`` per
bar or point so screen readers and hover show the exact figure. All text is escaped. The
generic :func:`bar_chart` and :func:`line_chart` take plain numbers; the plan charts build on
them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from planner.formatting import money, per_unit, percent
from planner.mixes import Outcome
from planner.optimizer import Plan

__all__ = [
    "PALETTE",
    "Series",
    "bar_chart",
    "budget_vs_outcome_chart",
    "cost_per_outcome_chart",
    "line_chart",
    "roi_over_time_chart",
    "tier_mix_chart",
]

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")

WIDTH, HEIGHT = 640, 320
_LEFT, _RIGHT, _TOP, _BOTTOM = 78, 20, 58, 62


@dataclass(frozen=True)
class Series:
    """One named row of values, one per category (or per x position of a line chart)."""

    name: str
    values: tuple[float, ...]


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _chart_id(value: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return slug or "chart"


def _nice_step(span: float, target: int = 5) -> float:
    raw = span / target
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _ticks(low: float, high: float) -> list[float]:
    """Round tick values covering ``[low, high]``; ``[0, 1]`` for an empty range (or one too
    narrow for a float to divide: a budget of 5e-324 gave a span whose fifth is 0)."""
    if not high - low > 1e-9 * max(1.0, abs(low), abs(high)):
        # One unit above, or as far again for values so large that a unit is lost in the
        # float (1e17 + 1 == 1e17).
        high = low + max(1.0, abs(low))
    step = _nice_step(high - low)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - 1e-12 * step:
        ticks.append(ticks[-1] + step)
    return [0.0 if abs(t) < 1e-12 * step else t for t in ticks]


def _compact(value: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    if value == int(value):
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _frame(
    chart_id: str,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    ticks: list[float],
    tick_format: Callable[[float], str],
    legend: Sequence[str],
) -> tuple[list[str], Callable[[float], float]]:
    """The opening of an svg: titles, axes, grid and legend; and the y scale."""
    plot_bottom = HEIGHT - _BOTTOM
    low, high = ticks[0], ticks[-1]

    def y(value: float) -> float:
        return plot_bottom - (value - low) / (high - low) * (plot_bottom - _TOP)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{_e(title)}</title>',
        f'<desc id="{chart_id}-desc">{_e(description)}</desc>',
        f'<text x="{WIDTH / 2:.1f}" y="22" text-anchor="middle" font-size="15" '
        f'font-weight="bold">{_e(title)}</text>',
    ]
    for t in ticks:
        yy = y(t)
        parts.append(
            f'<line x1="{_LEFT}" y1="{yy:.1f}" x2="{WIDTH - _RIGHT}" y2="{yy:.1f}" '
            f'stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11">'
            f"{_e(tick_format(t))}</text>"
        )
    parts += [
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{plot_bottom}" stroke="#333"/>',
        f'<line x1="{_LEFT}" y1="{y(max(low, min(high, 0.0))):.1f}" x2="{WIDTH - _RIGHT}" '
        f'y2="{y(max(low, min(high, 0.0))):.1f}" stroke="#333"/>',
        f'<text x="{(_LEFT + WIDTH - _RIGHT) / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
        f'font-size="12" class="axis-label">{_e(x_label)}</text>',
        f'<text x="16" y="{(_TOP + plot_bottom) / 2:.1f}" text-anchor="middle" font-size="12" '
        f'class="axis-label" transform="rotate(-90 16 {(_TOP + plot_bottom) / 2:.1f})">'
        f"{_e(y_label)}</text>",
    ]
    x = _LEFT
    for k, name in enumerate(legend):
        colour = PALETTE[k % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="32" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="42" font-size="12">{_e(name)}</text>')
        x += 16 + 7 * len(name) + 24
    return parts, y


def bar_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    value_format: Callable[[float], str] = _compact,
    chart_id: str | None = None,
) -> str:
    """A grouped bar chart of non-negative values: one group per category, a bar per series.

    Raises:
        ValueError: for a series whose length differs from ``categories`` or a negative value.
    """
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values, not {len(categories)}")
        if any(v < 0 or not math.isfinite(v) for v in s.values):
            raise ValueError(f"series {s.name!r}: bar values must be finite and >= 0")
    cid = _chart_id(chart_id or title)
    top = max((v for s in series for v in s.values), default=0.0)
    ticks = _ticks(0.0, top)
    parts, y = _frame(
        cid, title, description, x_label, y_label, ticks, _compact, [s.name for s in series]
    )
    plot_bottom = HEIGHT - _BOTTOM
    if not categories or not series:
        parts.append(
            f'<text x="{WIDTH / 2:.1f}" y="{(_TOP + plot_bottom) / 2:.1f}" '
            f'text-anchor="middle" font-size="13">No data</text>'
        )
    else:
        group = (WIDTH - _RIGHT - _LEFT) / len(categories)
        bar = group * 0.8 / len(series)
        for c, category in enumerate(categories):
            x0 = _LEFT + c * group + group * 0.1
            for k, s in enumerate(series):
                value = s.values[c]
                top_y = y(value)
                parts.append(
                    f'<rect x="{x0 + k * bar:.1f}" y="{top_y:.1f}" width="{bar - 1:.1f}" '
                    f'height="{plot_bottom - top_y:.1f}" fill="{PALETTE[k % len(PALETTE)]}">'
                    f"<title>{_e(f'{category}, {s.name}: {value_format(value)}')}</title></rect>"
                )
            parts.append(
                f'<text x="{x0 + group * 0.4:.1f}" y="{plot_bottom + 16}" text-anchor="middle" '
                f'font-size="12">{_e(category)}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


def line_chart(
    *,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    value_format: Callable[[float], str] = _compact,
    tick_format: Callable[[float], str] = _compact,
    chart_id: str | None = None,
) -> str:
    """A line chart: one polyline per series over the points ``x_labels`` (may be negative).

    Raises:
        ValueError: for a series whose length differs from ``x_labels`` or a non-finite value.
    """
    for s in series:
        if len(s.values) != len(x_labels):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values, not {len(x_labels)}")
        if not all(math.isfinite(v) for v in s.values):
            raise ValueError(f"series {s.name!r}: values must be finite")
    cid = _chart_id(chart_id or title)
    values = [v for s in series for v in s.values]
    ticks = _ticks(min([0.0, *values]), max([0.0, *values]))
    parts, y = _frame(
        cid, title, description, x_label, y_label, ticks, tick_format, [s.name for s in series]
    )
    plot_bottom = HEIGHT - _BOTTOM
    n = len(x_labels)
    if n == 0 or not series:
        parts.append(
            f'<text x="{WIDTH / 2:.1f}" y="{(_TOP + plot_bottom) / 2:.1f}" '
            f'text-anchor="middle" font-size="13">No data</text>'
        )
    else:
        inset = 24  # keeps the first and last points and their labels off the axes
        width = WIDTH - _RIGHT - _LEFT - 2 * inset
        step = width / (n - 1) if n > 1 else 0.0

        def x(i: int) -> float:
            return _LEFT + inset + (i * step if n > 1 else width / 2)

        # Label at most ~12 points so the axis stays readable.
        every = max(1, math.ceil(n / 12))
        for i, label in enumerate(x_labels):
            if i % every == 0:
                parts.append(
                    f'<text x="{x(i):.1f}" y="{plot_bottom + 16}" text-anchor="middle" '
                    f'font-size="11">{_e(label)}</text>'
                )
        for k, s in enumerate(series):
            colour = PALETTE[k % len(PALETTE)]
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values))
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            for i, v in enumerate(s.values):
                parts.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}">'
                    f"<title>{_e(f'{x_labels[i]}, {s.name}: {value_format(v)}')}</title></circle>"
                )
    parts.append("</svg>")
    return "\n".join(parts)


def _tier_names(plan: Plan) -> list[str]:
    return [t.tier.value for t in plan.tiers]


def tier_mix_chart(plan: Plan, *, chart_id: str = "tier-mix") -> str:
    """Each tier's budget (share of the total) next to the expected cost of its chosen creators."""
    cur = plan.currency
    return bar_chart(
        title="Tier mix: budget and planned spend",
        description=(
            "For each tier, the budget the mix gives it and the expected cost of the creators "
            f"chosen in it, in {cur}."
        ),
        categories=_tier_names(plan),
        series=[
            Series("budget", tuple(t.budget for t in plan.tiers)),
            Series("planned", tuple(t.cost.expected for t in plan.tiers)),
        ],
        x_label="tier",
        y_label=cur,
        value_format=lambda v: money(v, cur),
        chart_id=chart_id,
    )


def budget_vs_outcome_chart(plan: Plan, *, chart_id: str = "budget-vs-outcome") -> str:
    """Per tier, its share of the budget next to its share of the expected outcome."""
    noun = plan.outcome.value
    total = sum(t.outcome(plan.outcome).expected for t in plan.tiers)
    return bar_chart(
        title=f"Budget vs expected {noun} by tier",
        description=(
            f"For each tier, its share of the budget and its share of the plan's expected {noun}."
        ),
        categories=_tier_names(plan),
        series=[
            Series("share of budget", tuple(t.share * 100 for t in plan.tiers)),
            Series(
                f"share of {noun}",
                tuple(
                    t.outcome(plan.outcome).expected / total * 100 if total else 0.0
                    for t in plan.tiers
                ),
            ),
        ],
        x_label="tier",
        y_label="% of the plan",
        value_format=lambda v: percent(v / 100),
        chart_id=chart_id,
    )


def cost_per_outcome_chart(
    plan: Plan, *, outcome: Outcome = Outcome.ENGAGEMENTS, chart_id: str | None = None
) -> str:
    """The expected cost per engagement (or per conversion) of each tier's chosen creators."""
    cur = plan.currency
    unit = "engagement" if outcome is Outcome.ENGAGEMENTS else "conversion"
    rows: list[tuple[str, float]] = []
    for t in plan.tiers:
        ratio = t.cost_per_engagement if outcome is Outcome.ENGAGEMENTS else t.cost_per_acquisition
        if ratio is not None:
            rows.append((t.tier.value, ratio.expected))
    return bar_chart(
        title=f"Cost per {unit} by tier",
        description=(
            f"The expected cost of the chosen creators of each tier divided by their expected "
            f"{unit}s, in {cur}. Tiers with no chosen creator are left out."
        ),
        categories=[name for name, _ in rows],
        series=[Series(f"{cur} per {unit}", tuple(v for _, v in rows))],
        x_label="tier",
        y_label=f"{cur} per {unit}",
        value_format=lambda v: f"{cur} {per_unit(v)}",
        chart_id=chart_id or f"cost-per-{unit}",
    )


def roi_over_time_chart(
    points: Sequence[tuple[str, float]],
    *,
    title: str = "ROI over time",
    chart_id: str = "roi-over-time",
) -> str:
    """A line of ROI (a fraction: 0.25 is +25%) at each labelled point in time.

    ROI = (attributed revenue - cost) / cost, as measured by the caller; the planner does not
    invent a time series.
    """
    return line_chart(
        title=title,
        description="Return on investment, (revenue - cost) / cost, at each point in time.",
        x_labels=[label for label, _ in points],
        series=[Series("ROI", tuple(v for _, v in points))],
        x_label="period",
        y_label="ROI",
        value_format=percent,
        tick_format=percent,
        chart_id=chart_id,
    )
