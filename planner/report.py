"""A plan as a self-contained HTML5 document, as CSV rows and as JSON.

The HTML has no external assets (inline CSS and SVG, no scripts) and escapes every text it
did not write itself. CSV cells that a spreadsheet would run as a formula are prefixed with
``'``. No earned-media value is shown: the only money-from-outcome figure is the ROI, present
only when the caller gives a value per conversion, and always printed with its formula.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

from core import csvsafe
from planner.charts import (
    budget_vs_outcome_chart,
    cost_per_outcome_chart,
    roi_over_time_chart,
    tier_mix_chart,
)
from planner.formatting import count, money, per_unit, percent
from planner.mixes import Outcome
from planner.optimizer import NotChosen, Plan, Planned
from planner.projections import Projection, Range, Totals

__all__ = ["CSV_COLUMNS", "ROI_FORMULA", "plan_to_dict", "render_csv", "render_html", "render_json"]

ROI_FORMULA = "ROI = (expected conversions × value per conversion − cost) / cost"

CSV_COLUMNS: tuple[str, ...] = (
    "status",
    "id",
    "handle",
    "display_name",
    "platform",
    "tier",
    "followers",
    "match_score",
    "cost_low",
    "cost_expected",
    "cost_high",
    "reach",
    "engagements_low",
    "engagements_expected",
    "engagements_high",
    "conversions_low",
    "conversions_expected",
    "conversions_high",
    "cost_per_engagement_expected",
    "cost_per_acquisition_expected",
    "source",
    "reason_code",
    "reason",
)

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222;
       padding: 0 1rem; line-height: 1.4; }
h1 { margin-bottom: 0.2rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.charts svg { max-width: 100%; height: auto; border: 1px solid #eee; }
.warning { background: #fff3cd; border: 1px solid #e0c060; padding: 0.5rem 1rem; }
.muted { color: #666; font-size: 0.9rem; }
ul.reasons { margin: 0; padding-left: 1.1rem; }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _range(r: Range | None, fmt: Any) -> str:
    if r is None:
        return "n/a"
    if r.low == r.high:
        return str(fmt(r.expected))
    return f"{fmt(r.expected)} ({fmt(r.low)}–{fmt(r.high)})"


def _summary(plan: Plan) -> str:
    cur, t = plan.currency, plan.totals
    noun = plan.outcome.value
    mix = ", ".join(f"{percent(s)} {tier.value}" for tier, s in plan.mix.shares if s > 0)
    spent = t.cost.expected
    lines = [
        f"Objective <strong>{_e(plan.objective.value)}</strong>: the plan maximises expected "
        f"<strong>{_e(noun)}</strong>.",
        f"Budget {_e(money(plan.budget, cur))}, split {_e(mix)}.",
        f"{len(plan.chosen)} of {len(plan.chosen) + len(plan.not_chosen)} candidates chosen, "
        f"expected cost {_e(money(spent, cur))} "
        f"({_e(percent(spent / plan.budget))} of the budget), expected {_e(noun)} "
        f"{_e(_range(_outcome_total(plan), count))}.",
    ]
    status = plan.solver.status.value
    gap = "n/a" if plan.solver.gap is None else f"{plan.solver.gap:.2%}"
    solver = (
        f"Solver: {_e(status)} (gap {_e(gap)}, {plan.solver.seconds:.2f} s). Constraints: "
        f"max {_e(percent(plan.settings.max_share_of_tier))} of a tier's budget per creator, "
        + (
            f"audience overlap at most {plan.settings.max_overlap:.2f}"
            if plan.settings.max_overlap is not None
            else "no audience-overlap limit"
        )
        + (", one creator per handle" if plan.settings.one_per_handle else "")
        + f", budgets count the {_e(plan.settings.cost_basis.value)} cost."
    )
    html = "".join(f"<p>{line}</p>" for line in lines) + f'<p class="muted">{solver}</p>'
    if not plan.is_optimal:
        html = (
            '<p class="warning" role="alert">The solver did not prove this plan optimal '
            f"(status: {_e(status)}). It satisfies every constraint, but a better selection "
            "may exist.</p>" + html
        )
    return html


def _outcome_total(plan: Plan) -> Range:
    t = plan.totals
    return t.engagements if plan.outcome is Outcome.ENGAGEMENTS else t.conversions


def _money_fmt(cur: str) -> Any:
    return lambda v: money(v, cur)


def _shortlist(plan: Plan) -> str:
    cur = plan.currency
    head = (
        "<tr><th>creator</th><th>platform</th><th>tier</th><th>followers</th>"
        f"<th>cost ({_e(cur)})</th><th>engagements</th><th>conversions</th>"
        "<th>per engagement</th><th>per conversion</th><th>figures from</th>"
        "<th>match</th><th>why</th></tr>"
    )
    rows = []
    for item in plan.chosen:
        c, p = item.candidate, item.projection
        name = c.label if not c.display_name else f"{c.display_name} ({c.label})"
        matcher = "".join(f"<li>{_e(r)}</li>" for r in c.reasons)
        why = f"<p>{_e(item.reason)}</p>"
        if matcher:
            why += f'<ul class="reasons" aria-label="matcher reasons">{matcher}</ul>'
        match = "" if c.match_score is None else f"{c.match_score:.2f}"
        rows.append(
            f"<tr><td>{_e(name)}</td><td>{_e(c.platform)}</td><td>{_e(p.tier.value)}</td>"
            f'<td class="num">{c.followers:,}</td>'
            f'<td class="num">{_e(_range(p.cost, _money_fmt(cur)))}</td>'
            f'<td class="num">{_e(_range(p.engagements, count))}</td>'
            f'<td class="num">{_e(_range(p.conversions, count))}</td>'
            f'<td class="num">{_e(_range(p.cost_per_engagement, per_unit))}</td>'
            f'<td class="num">{_e(_range(p.cost_per_acquisition, per_unit))}</td>'
            f"<td>{_e(_sources(p))}</td>"
            f'<td class="num">{_e(match)}</td><td>{why}</td></tr>'
        )
    if not rows:
        rows.append('<tr><td colspan="12">No creator fits the budget and constraints.</td></tr>')
    return f"<table><caption>Chosen creators</caption>{head}{''.join(rows)}</table>"


def _sources(p: Projection) -> str:
    return (
        f"cost: {p.cost_source.value}, engagement: {p.engagement_source.value}, "
        f"conversion: {p.conversion_source.value}"
    )


def _not_chosen(plan: Plan, limit: int) -> str:
    if not plan.not_chosen:
        return ""
    cur = plan.currency
    rows = "".join(
        f"<tr><td>{_e(n.candidate.label)}</td><td>{_e(n.candidate.platform)}</td>"
        f"<td>{_e(n.projection.tier.value)}</td>"
        f'<td class="num">{_e(money(n.cost, cur))}</td>'
        f'<td class="num">{_e(count(n.value))}</td><td>{_e(n.reason)}</td></tr>'
        for n in plan.not_chosen[:limit]
    )
    more = len(plan.not_chosen) - limit
    note = f'<p class="muted">{more} more not shown.</p>' if more > 0 else ""
    return (
        "<h2>Top candidates not chosen</h2><table><caption>Why not</caption>"
        f"<tr><th>creator</th><th>platform</th><th>tier</th><th>cost</th>"
        f"<th>expected {_e(plan.outcome.value)}</th><th>why not</th></tr>{rows}</table>{note}"
    )


def _tiers(plan: Plan) -> str:
    cur = plan.currency
    rows = "".join(
        f"<tr><td>{_e(t.tier.value)}</td><td class='num'>{_e(percent(t.share))}</td>"
        f"<td class='num'>{_e(money(t.budget, cur))}</td>"
        f"<td class='num'>{_e(_range(t.cost, _money_fmt(cur)))}</td>"
        f"<td class='num'>{t.chosen} of {t.candidates}</td>"
        f"<td class='num'>{_e(_range(t.outcome(plan.outcome), count))}</td></tr>"
        for t in plan.tiers
    )
    return (
        "<table><caption>Budget by tier</caption><tr><th>tier</th><th>share</th>"
        f"<th>budget</th><th>planned cost</th><th>creators</th>"
        f"<th>expected {_e(plan.outcome.value)}</th></tr>{rows}</table>"
    )


def _totals(plan: Plan) -> str:
    cur, t = plan.currency, plan.totals
    rows = [
        ("creators", str(t.count)),
        ("cost", _range(t.cost, _money_fmt(cur))),
        ("potential reach (sum of followers, overlap not removed)", _range(t.reach, count)),
        ("engagements", _range(t.engagements, count)),
        ("conversions", _range(t.conversions, count)),
        (f"cost per engagement ({cur})", _range(t.cost_per_engagement, per_unit)),
        (f"cost per conversion ({cur})", _range(t.cost_per_acquisition, per_unit)),
    ]
    if t.roi is not None and plan.value_per_conversion is not None:
        rows.append(
            (
                f"ROI, with a value per conversion of {money(plan.value_per_conversion, cur)}",
                _range(t.roi, percent),
            )
        )
    body = "".join(f"<tr><th>{_e(k)}</th><td class='num'>{_e(v)}</td></tr>" for k, v in rows)
    notes = [
        "Figures are expected (low–high). Ratios divide the summed expected cost by the summed "
        "expected count; low pairs every creator's lowest cost with its highest count, high "
        "the reverse.",
        "Conversions = engagements × the tier's conversion rate (micro 2.4%, mega 1.1%; "
        "nano, mid and macro interpolated).",
    ]
    if t.roi is not None:
        notes.append(ROI_FORMULA + ".")
    note_html = "".join(f'<p class="muted">{_e(n)}</p>' for n in notes)
    return f"<table><caption>Totals</caption>{body}</table>{note_html}"


def render_html(
    plan: Plan,
    *,
    title: str = "Campaign plan",
    campaign: str | None = None,
    generated_at: datetime | None = None,
    roi_history: Sequence[tuple[str, float]] | None = None,
    not_chosen_limit: int = 20,
    estimates_note: str | None = None,
) -> str:
    """The plan as one self-contained HTML5 document.

    Args:
        campaign: the campaign's name, shown under the title.
        generated_at: printed in the footer when given (a pure function: no clock inside).
        roi_history: measured ``(period label, ROI fraction)`` points; when given, the report
            adds the ROI-over-time chart.
        not_chosen_limit: how many left-out candidates to list, best first.
        estimates_note: where the engagement and conversion estimates came from (the
            benchmarks, or a model learned from the organisation's results, and why).
    """
    charts = [
        tier_mix_chart(plan),
        budget_vs_outcome_chart(plan),
        cost_per_outcome_chart(plan, outcome=plan.outcome),
    ]
    if roi_history:
        charts.append(roi_over_time_chart(roi_history))
    subtitle = f'<p class="muted">{_e(campaign)}</p>' if campaign else ""
    footer = (
        f'<footer class="muted">Generated {_e(generated_at.isoformat())}</footer>'
        if generated_at is not None
        else ""
    )
    figures = "".join(f"<figure>{svg}</figure>" for svg in charts)
    note = f'<p class="muted">Estimates: {_e(estimates_note)}</p>' if estimates_note else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{_e(title)}</h1>{subtitle}</header>\n<main>\n"
        f'<section aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>'
        f"{_summary(plan)}{note}</section>\n"
        f'<section aria-labelledby="charts-h"><h2 id="charts-h">Charts</h2>'
        f'<div class="charts">{figures}</div></section>\n'
        f'<section aria-labelledby="shortlist-h"><h2 id="shortlist-h">Shortlist</h2>'
        f"{_shortlist(plan)}{_tiers(plan)}</section>\n"
        f'<section aria-labelledby="totals-h"><h2 id="totals-h">Totals</h2>'
        f"{_totals(plan)}</section>\n"
        f"<section>{_not_chosen(plan, not_chosen_limit)}</section>\n"
        f"</main>\n{footer}\n</body>\n</html>\n"
    )


def _csv_row(status: str, item: Planned | NotChosen, code: str, reason: str) -> list[object]:
    c, p = item.candidate, item.projection
    cpe, cpa = p.cost_per_engagement, p.cost_per_acquisition
    return [
        status,
        str(c.id),  # text, even when the id is a number: a column of one type
        c.handle,
        c.display_name,
        c.platform,
        p.tier.value,
        c.followers,
        "" if c.match_score is None else c.match_score,
        p.cost.low,
        p.cost.expected,
        p.cost.high,
        p.reach.expected,
        p.engagements.low,
        p.engagements.expected,
        p.engagements.high,
        p.conversions.low,
        p.conversions.expected,
        p.conversions.high,
        "" if cpe is None else cpe.expected,
        "" if cpa is None else cpa.expected,
        p.source.value,
        code,
        reason,
    ]


def render_csv(plan: Plan) -> str:
    """One row per candidate (chosen first), columns :data:`CSV_COLUMNS`. Text cells that a
    spreadsheet would run as formulas get a leading quote (core/csvsafe.py); numbers stay
    numbers."""
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in plan.chosen:
        writer.writerow(_csv_row("chosen", item, "chosen", item.reason))
    for n in plan.not_chosen:
        writer.writerow(_csv_row("not_chosen", n, n.code, n.reason))
    return out.getvalue()


def _range_dict(r: Range | None) -> dict[str, float] | None:
    return None if r is None else r.as_dict()


def _projection_dict(p: Projection) -> dict[str, Any]:
    return {
        "tier": p.tier.value,
        "cost": p.cost.as_dict(),
        "reach": p.reach.as_dict(),
        "engagement_rate": p.engagement_rate.as_dict(),
        "engagements": p.engagements.as_dict(),
        "conversion_rate": p.conversion_rate,
        "conversions": p.conversions.as_dict(),
        "cost_per_engagement": _range_dict(p.cost_per_engagement),
        "cost_per_acquisition": _range_dict(p.cost_per_acquisition),
        "source": p.source.value,
        "sources": {
            "cost": p.cost_source.value,
            "engagement_rate": p.engagement_source.value,
            "conversion_rate": p.conversion_source.value,
        },
    }


def _candidate_dict(item: Planned | NotChosen) -> dict[str, Any]:
    c = item.candidate
    return {
        "id": c.id,
        "handle": c.handle,
        "display_name": c.display_name,
        "platform": c.platform,
        "tier": item.projection.tier.value,
        "followers": c.followers,
        "match_score": c.match_score,
        "matcher_reasons": list(c.reasons),
        "cost": item.cost,
        "value": item.value,
        "projection": _projection_dict(item.projection),
    }


def _totals_dict(t: Totals) -> dict[str, Any]:
    return {
        "count": t.count,
        "cost": t.cost.as_dict(),
        "reach": t.reach.as_dict(),
        "engagements": t.engagements.as_dict(),
        "conversions": t.conversions.as_dict(),
        "cost_per_engagement": _range_dict(t.cost_per_engagement),
        "cost_per_acquisition": _range_dict(t.cost_per_acquisition),
        "roi": _range_dict(t.roi),
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data (what :func:`render_json` prints)."""
    s = plan.settings
    return {
        "objective": plan.objective.value,
        "outcome": plan.outcome.value,
        "budget": plan.budget,
        "currency": plan.currency,
        "mix": plan.mix.as_dict(),
        "settings": {
            "max_overlap": s.max_overlap,
            "max_share_of_tier": s.max_share_of_tier,
            "one_per_handle": s.one_per_handle,
            "cost_basis": s.cost_basis.value,
            "weight_by_match": s.weight_by_match,
            "time_limit": s.time_limit,
            "fx": s.fx,
        },
        "solver": {
            "status": plan.solver.status.value,
            "gap": plan.solver.gap,
            "message": plan.solver.message,
            "seconds": plan.solver.seconds,
        },
        "objective_value": plan.objective_value,
        "chosen": [{**_candidate_dict(p), "reason": p.reason} for p in plan.chosen],
        "not_chosen": [
            {**_candidate_dict(n), "reason_code": n.code, "reason": n.reason}
            for n in plan.not_chosen
        ],
        "tiers": [
            {
                "tier": t.tier.value,
                "share": t.share,
                "budget": t.budget,
                "candidates": t.candidates,
                "chosen": t.chosen,
                "cost": t.cost.as_dict(),
                "engagements": t.engagements.as_dict(),
                "conversions": t.conversions.as_dict(),
                "cost_per_engagement": _range_dict(t.cost_per_engagement),
                "cost_per_acquisition": _range_dict(t.cost_per_acquisition),
            }
            for t in plan.tiers
        ],
        "totals": _totals_dict(plan.totals),
        "value_per_conversion": plan.value_per_conversion,
        "roi_formula": ROI_FORMULA if plan.totals.roi is not None else None,
    }


def render_json(plan: Plan) -> str:
    """The plan as a JSON document (:func:`plan_to_dict`), indented, UTF-8 text."""
    return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
