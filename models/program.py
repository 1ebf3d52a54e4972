"""Ambassador programs: the program, its deliverables, the notices the scheduler emits,
monthly reports and attributed conversions.

The rows hold the schedule: a deliverable's ``remind_at`` / ``overdue_at`` /
``next_recheck_at`` and a program's ``next_report_at`` / ``renewal_notice_at`` say what is
due; a tick processes what is due and advances or clears them. Notices are unique per
``dedupe_key``, so a tick that runs twice (a restart, a second scheduler) cannot emit one
twice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdType, JsonType, utcnow

__all__ = [
    "DELIVERABLE_STATUSES",
    "PROGRAM_STATUSES",
    "Conversion",
    "Deliverable",
    "Program",
    "ProgramNotice",
    "ProgramReport",
]

PROGRAM_STATUSES: tuple[str, ...] = ("draft", "active", "paused", "ended", "renewed")
# pending -> submitted (on time or late) ; pending -> overdue -> submitted (late)
DELIVERABLE_STATUSES: tuple[str, ...] = ("pending", "overdue", "submitted")


class Program(Base):
    __tablename__ = "programs"
    __table_args__ = (
        Index("ix_programs_report_due", "status", "next_report_at"),
        Index("ix_programs_renewal_due", "status", "renewal_notice_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="SET NULL"))
    creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    contract_draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("drafts.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    months: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # [{"platform": "instagram", "kind": "feed post", "count": 2, "per": "month"}, ...]
    cadence: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    # {"monthly_retainer": "1500", "per_deliverable": "0", "commission_pct": "10"}
    compensation: Mapped[dict[str, Any]] = mapped_column(JsonType)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    discount_code: Mapped[str | None] = mapped_column(String(100))
    utm_tag: Mapped[str | None] = mapped_column(String(200))
    jurisdiction: Mapped[str] = mapped_column(String(2), default="US")
    reminder_days: Mapped[int] = mapped_column(Integer, default=3)
    recheck_days: Mapped[int] = mapped_column(Integer, default=7)
    status: Mapped[str] = mapped_column(String(10), default="active")
    renewed_to_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"))
    # The schedule: the next monthly report's period end, and when the renewal notice is due
    # (None once emitted).
    next_report_at: Mapped[datetime | None]
    reports_done: Mapped[int] = mapped_column(Integer, default=0)
    renewal_notice_at: Mapped[datetime | None]
    ends_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Deliverable(Base):
    __tablename__ = "deliverables"
    __table_args__ = (
        UniqueConstraint("program_id", "sequence"),
        Index("ix_deliverables_remind", "remind_at"),
        Index("ix_deliverables_overdue", "overdue_at"),
        Index("ix_deliverables_recheck", "next_recheck_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)
    platform: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[date]  # in the program's time zone
    due_at: Mapped[datetime]  # the end of due_on in the program's time zone, in UTC
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # The schedule: None once done.
    remind_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None]
    next_recheck_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    on_time: Mapped[bool | None]
    post_url: Mapped[str | None] = mapped_column(String(1000))
    caption: Mapped[str | None] = mapped_column(Text)
    transcript: Mapped[str | None] = mapped_column(Text)
    media: Mapped[str | None] = mapped_column(String(20))
    # {"likes": 1200, "comments": 40, "shares": 12, "saves": 30, "views": 18000, "clicks": 90}
    metrics: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    compliance_verdict: Mapped[str | None] = mapped_column(String(20))
    compliance_result: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    last_checked_at: Mapped[datetime | None]


class ProgramNotice(Base):
    """Something the scheduler (or a submission) emitted: a reminder e-mail, an overdue
    flag, a renewal notice, a report, a compliance alert. Webhook events are made from
    these; ``dedupe_key`` makes each one happen once."""

    __tablename__ = "program_notices"
    __table_args__ = (
        UniqueConstraint("organization_id", "dedupe_key"),
        Index("ix_program_notices_program", "program_id", "id"),
        Index("ix_program_notices_email", "email_status"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    deliverable_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliverables.id", ondelete="CASCADE")
    )
    # program.deliverable_due | program.deliverable_overdue | program.deliverable_submitted |
    # program.renewal_due | program.report | compliance.violation
    event: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    # The e-mail this notice sends (reminders, renewal notices): none, queued, sending,
    # sent, dry_run, failed. "sending" is written before the SMTP call and never retried.
    email_status: Mapped[str] = mapped_column(String(10), default="none")
    email_to: Mapped[str | None] = mapped_column(String(320))
    email_subject: Mapped[str | None] = mapped_column(String(300))
    email_text: Mapped[str | None] = mapped_column(Text)
    email_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgramReport(Base):
    __tablename__ = "program_reports"
    __table_args__ = (UniqueConstraint("program_id", "period_start"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    month: Mapped[int] = mapped_column(Integer)  # 1 = the program's first month
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    figures: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversion(Base):
    """A sale attributed by discount code or UTM tag; ``order_id`` makes a re-sent one a
    no-op."""

    __tablename__ = "conversions"
    __table_args__ = (
        UniqueConstraint("organization_id", "order_id"),
        Index("ix_conversions_program_time", "program_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    order_id: Mapped[str] = mapped_column(String(200))
    discount_code: Mapped[str | None] = mapped_column(String(100))
    utm_tag: Mapped[str | None] = mapped_column(String(200))
    revenue: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
