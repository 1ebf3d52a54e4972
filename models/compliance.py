"""Stored compliance checks, reviewer decisions, and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdType, JsonType, utcnow

__all__ = ["REVIEW_STATUSES", "VERDICT_PRIORITY", "AuditEvent", "ComplianceCheck"]

# The queue shows non-compliant checks first, then those needing review.
VERDICT_PRIORITY: dict[str, int] = {"non_compliant": 0, "needs_review": 1, "compliant": 2}
# pending: waits for a reviewer; not_required: compliant, nobody needs to look;
# approved / rejected / overridden: a reviewer decided.
REVIEW_STATUSES: tuple[str, ...] = ("pending", "not_required", "approved", "rejected", "overridden")


class ComplianceCheck(Base):
    """One post checked through the API, with the checker's result and the review state."""

    __tablename__ = "compliance_checks"
    __table_args__ = (
        Index("ix_compliance_checks_queue", "organization_id", "review_status", "priority", "id"),
        Index("ix_compliance_checks_org_created", "organization_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(20))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    verdict: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int]
    reasons: Mapped[list[str]] = mapped_column(JsonType)
    post: Mapped[dict[str, Any]] = mapped_column(JsonType)
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    checked_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    review_status: Mapped[str] = mapped_column(String(20))
    final_verdict: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)


class AuditEvent(Base):
    """Who did what to which object, when, and what changed (append-only)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject", "organization_id", "subject_type", "subject_id"),
        Index("ix_audit_events_org_created", "organization_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[int]
    # {"field": [old, new], ...}
    changes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
