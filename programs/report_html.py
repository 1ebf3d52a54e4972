"""A program's monthly reports as one self-contained HTML page with charts (no scripts, no
external assets): deliverables on time per month, cost per engagement, ROI over time, and
the table of figures. ROI is shown with its formula."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from models import Program, ProgramReport
from planner.charts import Series, bar_chart, line_chart, roi_over_time_chart
from programs.reports import ROI_FORMULA

__all__ = ["render_program_report"]

_COLUMNS = (
    ("month", "Month"),
    ("deliverables_due", "Due"),
    ("delivered_on_time", "On time"),
    ("delivered_late", "Late"),
    ("missing", "Missing"),
    ("compliance_pass_rate", "Compliance pass rate"),
    ("engagements", "Engagements"),
    ("cost", "Cost"),
    ("cost_per_engagement", "Cost per engagement"),
    ("conversions", "Conversions"),
    ("revenue", "Revenue"),
    ("roi", "ROI"),
)


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:right}figure{margin:1.5rem 0}"
)


def _number(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def _column(figures: Sequence[dict[str, object]], key: str) -> tuple[float, ...]:
    return tuple(_number(f.get(key)) for f in figures)


def render_program_report(
    program: Program, reports: Sequence[ProgramReport], *, creator: str, generated_at: datetime
) -> str:
    labels = [f"M{r.month}" for r in reports]
    figures = [r.figures for r in reports]
    charts = []
    if reports:
        charts.append(
            bar_chart(
                title="Deliverables per month",
                description="Due, delivered on time and late, per program month",
                categories=labels,
                series=[
                    Series("on time", _column(figures, "delivered_on_time")),
                    Series("late", _column(figures, "delivered_late")),
                    Series("missing", _column(figures, "missing")),
                ],
                x_label="program month",
                y_label="deliverables",
                chart_id="deliverables",
            )
        )
        charts.append(
            line_chart(
                title="Cost per engagement",
                description=f"Cost per engagement in {program.currency}, per program month",
                x_labels=labels,
                series=[Series("cost per engagement", _column(figures, "cost_per_engagement"))],
                x_label="program month",
                y_label=program.currency,
                chart_id="cpe",
            )
        )
        rois = [
            (label, _number(f["roi"]))
            for label, f in zip(labels, figures, strict=True)
            if f.get("roi") is not None
        ]
        if rois:
            charts.append(roi_over_time_chart(rois))
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str({**f, 'month': r.month}.get(key, '') or ''))}</td>"
            for key, _ in _COLUMNS
        )
        + "</tr>"
        for r, f in zip(reports, figures, strict=True)
    )
    head = "".join(f'<th scope="col">{escape(label)}</th>' for _, label in _COLUMNS)
    empty = (
        ""
        if reports
        else "<p>No monthly report yet: the first comes after the program's first month.</p>"
    )
    subtitle = (
        f"{escape(creator)} · {program.months} months from {program.starts_on.isoformat()} "
        f"({escape(program.timezone)}) · status {escape(program.status)}"
    )
    figures_html = "".join(f"<figure>{c}</figure>" for c in charts)
    table = (
        f"<table><caption>Monthly figures ({escape(program.currency)})</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )
    note = (
        f"{escape(ROI_FORMULA)}; cost = retainer + per-deliverable fees + commission on "
        "attributed revenue."
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(program.name)}: program report</title>\n<style>{_STYLE}</style>"
        f"</head>\n<body><main>\n<h1>{escape(program.name)}</h1>\n<p>{subtitle}</p>\n"
        f"{empty}\n{figures_html}\n{table}\n<p>{note}</p>\n</main>"
        f"<footer><p>Generated {generated_at.isoformat(timespec='minutes')}</p></footer>"
        "</body></html>\n"
    )
