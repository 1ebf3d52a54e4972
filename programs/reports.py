"""Program reports: the figures of a period (deliverables due in it, conversions in it,
cost, ROI), the monthly reports the tick writes, and their CSV. Money is a string with two
decimals, rates are strings with four."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core import csvsafe
from core.errors import InvalidInputError
from models import Program, ProgramReport, utcnow
from programs.notices import notify
from programs.schedule import local_midnight, report_boundaries, zone
from storage.repositories.programs import ProgramRepository

__all__ = ["ROI_FORMULA", "ReportService", "money", "report_csv"]

_ENGAGEMENT_KEYS = ("likes", "comments", "shares", "saves")
ROI_FORMULA = "ROI = (attributed revenue - cost) / cost"


def money(value: object, name: str) -> Decimal:
    """An amount given for the field ``name``, to the cent; not a number or negative is an
    InvalidInputError naming the field."""
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise InvalidInputError.for_field(name, "must be a number", value=value) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInputError.for_field(name, "must be >= 0", value=value)
    return amount.quantize(Decimal("0.01"))


def _engagements(metrics: Mapping[str, Any] | None) -> int:
    metrics = metrics or {}
    return int(sum(int(metrics.get(k) or 0) for k in _ENGAGEMENT_KEYS))


def _ratio(numerator: Decimal | int, denominator: Decimal | int) -> str | None:
    if not denominator:
        return None
    return str((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001")))


class ReportService:
    def reports(
        self, session: Session, organization_id: int, program_id: int
    ) -> list[ProgramReport]:
        repository = ProgramRepository(session)
        repository.get_or_raise(organization_id, program_id)
        return repository.reports(program_id)

    def to_date(
        self,
        session: Session,
        organization_id: int,
        program_id: int,
        *,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """The report figures from the program's start to ``now`` (or its end)."""
        program = ProgramRepository(session).get_or_raise(organization_id, program_id)
        start = local_midnight(program.starts_on, zone(program.timezone))
        return self.figures(session, program, start, min(now or utcnow(), program.ends_at))

    def figures(
        self, session: Session, program: Program, start: datetime, end: datetime
    ) -> dict[str, Any]:
        """The report figures of ``[start, end)``: deliverables due in it, conversions in it.
        Money is a string with two decimals; rates are strings with four."""
        repository = ProgramRepository(session)
        due = repository.due_between(program.id, start, end)
        delivered = [d for d in due if d.submitted_at is not None]
        on_time = [d for d in delivered if d.on_time]
        checked = [d for d in delivered if d.compliance_verdict is not None]
        passed = [d for d in checked if d.compliance_verdict == "compliant"]
        engagements = sum(_engagements(d.metrics) for d in delivered)
        conversions = repository.conversions_between(program.id, start, end)
        revenue = sum((c.revenue for c in conversions), Decimal("0.00"))
        comp = program.compensation
        retainer = Decimal(comp["monthly_retainer"])
        per_piece = Decimal(comp["per_deliverable"]) * len(delivered)
        commission = (Decimal(comp["commission_pct"]) / 100 * revenue).quantize(Decimal("0.01"))
        cost = retainer + per_piece + commission
        return {
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "deliverables_due": len(due),
            "delivered": len(delivered),
            "delivered_on_time": len(on_time),
            "delivered_late": len(delivered) - len(on_time),
            "missing": len(due) - len(delivered),
            "on_time_rate": _ratio(len(on_time), len(due)),
            "compliance_checked": len(checked),
            "compliance_passed": len(passed),
            "compliance_pass_rate": _ratio(len(passed), len(checked)),
            "engagements": engagements,
            "views": sum(int((d.metrics or {}).get("views") or 0) for d in delivered),
            "cost": str(cost),
            "cost_breakdown": {
                "retainer": str(retainer),
                "per_deliverable": str(per_piece),
                "commission": str(commission),
            },
            "cost_per_engagement": _ratio(cost, engagements),
            "conversions": len(conversions),
            "revenue": str(revenue),
            "roi": _ratio(revenue - cost, cost),
            "roi_formula": ROI_FORMULA,
            "currency": program.currency,
        }

    def write_reports(self, session: Session, program_id: int, now: datetime) -> bool:
        """Every month of the program that ended by ``now`` and has no report yet."""
        program = session.get(Program, program_id)
        if program is None:
            return False
        boundaries = report_boundaries(program.starts_on, program.months, zone(program.timezone))
        made = False
        while program.next_report_at is not None and program.next_report_at <= now:
            month = program.reports_done + 1
            start, end = boundaries[month - 1], boundaries[month]
            figures = self.figures(session, program, start, end)
            ProgramRepository(session).add(
                ProgramReport(
                    organization_id=program.organization_id,
                    program_id=program.id,
                    month=month,
                    period_start=start,
                    period_end=end,
                    figures=figures,
                    created_at=now,
                )
            )
            notify(
                session,
                program,
                "program.report",
                f"report:{program.id}:{month}",
                payload={"month": month, **figures},
                now=now,
            )
            program.reports_done = month
            program.next_report_at = boundaries[month + 1] if month < program.months else None
            made = True
        return made


def _report_cell(value: object, *, number: bool) -> object:
    """A figure as a CSV cell: money and rates (strings in the figures) as Decimals."""
    if value is None:
        return ""
    if number and isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value  # not a number after all: written as (escaped) text
    return value


def report_csv(reports: Sequence[ProgramReport]) -> str:
    """Monthly reports as CSV, one row a month, the money and rates as in the JSON.

    Money and rates are kept as strings in the figures; they are written as the numbers they
    are (a negative ROI stays ``-0.5000``), every text cell escaped against formulas
    (core/csvsafe.py)."""
    columns = [
        "month", "period_start", "period_end", "deliverables_due", "delivered",
        "delivered_on_time", "delivered_late", "missing", "on_time_rate", "compliance_checked",
        "compliance_passed", "compliance_pass_rate", "engagements", "views", "cost",
        "cost_per_engagement", "conversions", "revenue", "roi", "currency",
    ]  # fmt: skip
    text_columns = {"period_start", "period_end", "currency"}
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for report in reports:
        row = {"month": report.month, **report.figures}
        writer.writerow([_report_cell(row.get(c), number=c not in text_columns) for c in columns])
    return out.getvalue()
